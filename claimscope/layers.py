"""Named layers of the analysis, for ``claimscope analyze --only persuasion,framing``.

A layer is what a reader asks for (claims, numbers, rhetoric ...); it maps to the stages
that produce it, with the stages they need. ``stages_for(["claims", "numbers"])`` gives
the stage names in pipeline order; ``config_for(names)`` the per-stage options that go
with them (the encoder keeps token states only when a rhetoric stage reads them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import Errors, InvalidParameterError

__all__ = ["LAYERS", "stages_for", "config_for", "parse_layers", "plan"]

_BASE = ("segment", "language")
#: layer name -> the stages it needs (order does not matter here)
LAYERS: dict[str, tuple[str, ...]] = {
    "sentences": _BASE,
    "claims": _BASE + ("encode", "checkworthiness"),
    "opinion": _BASE + ("encode", "subjectivity"),
    "numbers": _BASE + ("quantities",),
    "actors": _BASE + ("actors",),
    "ledger": _BASE + ("quantities", "actors", "ledger"),
    "persuasion": _BASE + ("encode", "persuasion"),
    "techniques": _BASE + ("encode", "persuasion", "techniques"),
    "framing": _BASE + ("encode", "persuasion", "framing"),
    "rhetoric": _BASE + ("encode", "persuasion", "techniques", "framing"),
}
#: stages that read the encoder's token states
TOKEN_STATE_STAGES = ("persuasion",)


def _order() -> list[str]:
    from .stages import DEFAULT_STAGES, RHETORIC_STAGES

    seen: list[str] = []
    for name in (*DEFAULT_STAGES, *RHETORIC_STAGES):
        if name not in seen:
            seen.append(name)
    return seen


def parse_layers(value: str) -> list[str]:
    """``"persuasion, framing"`` -> ``["persuasion", "framing"]``; unknown names raise."""
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        raise InvalidParameterError(Errors.E401.format(
            name=unknown[0] if unknown else value, available=", ".join(LAYERS)))
    return names


def stages_for(layers: Iterable[str]) -> list[str]:
    """The stage names that produce ``layers``, in pipeline order."""
    wanted: set[str] = set()
    for layer in layers:
        if layer not in LAYERS:
            raise InvalidParameterError(Errors.E401.format(name=layer,
                                                           available=", ".join(LAYERS)))
        wanted.update(LAYERS[layer])
    order = _order()
    return [name for name in order if name in wanted] + sorted(wanted - set(order))


def config_for(stage_names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Stage options that follow from the stage list (token states only when read)."""
    names = list(stage_names)
    if "encode" not in names:
        return {}
    return {"encode": {"token_states": any(n in names for n in TOKEN_STATE_STAGES)}}


def plan(stages: Iterable[str] | None = None, *, layers: Iterable[str] | str | None = None,
         fast: bool = False, corpus: Any = None, as_of: str | None = None,
         actors: Any = None, config: dict[str, dict[str, Any]] | None = None
         ) -> tuple[list[str] | None, dict[str, dict[str, Any]]]:
    """(stage names, per-stage options) for an analysis: the one place where the options
    a user gives become a pipeline's configuration (``claimscope.load`` and the commands
    use it; the result is plain data a worker process can rebuild the pipeline from).

    ``stages`` names stages, or ``layers`` names what to analyse (``"claims,numbers"``),
    not both; ``fast`` skips the span model's encoder pass; ``corpus`` (a path or a
    ``CorpusStore``) adds verification (with the layers it needs), checked ``as_of`` a
    date when the articles have none; ``actors`` is a TOML file of actors to add to the
    gazetteers; ``config`` gives stage options of its own, which win.
    """
    names = list(stages) if stages is not None else None
    if layers is not None:
        if names is not None:
            raise InvalidParameterError(Errors.E004.format(
                param="layers", owner="claimscope.load", expected="either stages or layers",
                got="both"))
        wanted = parse_layers(layers) if isinstance(layers, str) else list(layers)
        names = stages_for(wanted + (["claims", "numbers"] if corpus is not None else []))
    from .stages import DEFAULT_STAGES

    out: dict[str, dict[str, Any]] = {k: dict(v) for k, v in config_for(
        names if names is not None else DEFAULT_STAGES).items()}
    if fast and "encode" in out:
        out["encode"]["span_states"] = False
    if corpus is not None:
        out["retrieve"] = {"db": corpus if not hasattr(corpus, "__fspath__") else str(corpus)}
        if as_of is not None:
            out["retrieve"]["as_of"] = as_of
    if actors is not None and (names is None or "actors" in names):
        out["actors"] = {"extra": [str(actors)]}
    for stage, options in (config or {}).items():
        out[stage] = {**out.get(stage, {}), **options}
    return names, out

