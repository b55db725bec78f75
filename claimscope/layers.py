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

__all__ = ["LAYERS", "stages_for", "config_for", "parse_layers"]

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
