"""claimscope: what in a conflict article can be checked, what is rhetoric, what the evidence says.

    import claimscope
    doc = claimscope.analyze("More than 4,000 rockets were fired, the army said.")
    nlp = claimscope.load()
    docs = list(nlp.pipe(texts, batch_size=32))
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from . import registry
from .document import Document, Span, SpanGroup
from .errors import ClaimscopeError, Errors, InputError, InvalidParameterError, Warnings
from .pipeline import Pipeline, Stage

__version__ = "0.2.2"
__all__ = ["analyze", "load", "Document", "Span", "SpanGroup", "Pipeline", "Stage",
           "registry", "ClaimscopeError", "InputError", "InvalidParameterError",
           "Errors", "Warnings", "__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())

_default: Pipeline | None = None


def load(stages: Sequence[str] | None = None, *, models: str | None = None,
         config: dict[str, dict[str, Any]] | None = None,
         corpus: Any = None, layers: Sequence[str] | str | None = None,
         fast: bool = False, as_of: str | None = None, actors: Any = None) -> Pipeline:
    """Build a pipeline from registered stage names (default: the full analysis).

    ``layers`` names what to analyse instead (``"claims,numbers"``: the stages follow);
    ``fast`` skips the span model's encoder pass; ``corpus`` (a reference-corpus path or
    a ``CorpusStore``) adds the ``claim_units``, ``retrieve`` and ``verify`` stages: every
    claim is checked against it, as of ``as_of`` when an article has no date; ``actors``
    is a TOML file of actors added to the gazetteers. ``models`` is a folder of model files
    (default: those shipped in the package); ``config`` maps a stage name to keyword
    arguments of its factory (and wins over the options above).
    """
    from .layers import plan
    from .models import default_threads
    from .stages import DEFAULT_STAGES, VERIFY_STAGES

    default_threads()  # a bad CLAIMSCOPE_THREADS fails here, once, not on every article
    if layers is not None or fast or as_of is not None or actors is not None:
        stages, config = plan(stages, layers=layers, fast=fast, corpus=corpus, as_of=as_of,
                              actors=actors, config=config)
        corpus = None  # in config now
    names = list(DEFAULT_STAGES if stages is None else stages)
    config = {k: dict(v) for k, v in (config or {}).items()}
    if corpus is not None:
        config.setdefault("retrieve", {})["db"] = corpus
    if config.get("retrieve", {}).get("db") is not None:
        names += [n for n in VERIFY_STAGES if n not in names]
    if "retrieve" in names and "claim_units" not in names:
        names.insert(names.index("retrieve"), "claim_units")
    as_of = config.get("retrieve", {}).get("as_of")
    if as_of is not None and "claim_units" in names:
        # one date for the whole check: the claims' period and retrieval's recency
        config.setdefault("claim_units", {}).setdefault("as_of", as_of)
    if "encode" in names and "token_states" not in config.get("encode", {}):
        # Token states are ~30x the sentence embeddings: keep them only for a stage that
        # reads them (the rhetoric layer), or a batch of articles holds them all.
        config.setdefault("encode", {})["token_states"] = any(
            "tensors.token_states" in getattr(registry.stages.get(n), "requires", ())
            for n in names if n in registry.stages)
    built = []
    for name in names:
        factory = registry.stages.get(name)
        kwargs = dict(config.get(name, {}))
        if models is not None and "models" in _params(factory):
            kwargs.setdefault("models", models)
        built.append(factory(**kwargs))
    return Pipeline(built)


def analyze(text: str, **meta: Any) -> Document:
    """Analyse one article with the default pipeline (loaded once per process)."""
    global _default
    if _default is None:
        _default = load()
    return _default(text, **meta)


def _params(factory: Any) -> set[str]:
    import inspect

    try:
        return set(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return set()
