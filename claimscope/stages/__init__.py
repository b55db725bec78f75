"""Built-in pipeline stages, registered by name in ``claimscope.registry.stages``."""

from . import (  # noqa: F401  (importing a stage module registers it)
    actors,
    claim_units,
    heads,
    language,
    ledger,
    quantities,
    retrieve,
    rhetoric,
    segment,
    verify,
)

#: The rhetoric layer (persuasion spans, paragraph techniques, frames and genre), in order.
RHETORIC_STAGES = ("persuasion", "techniques", "framing")
#: Added after the default analysis when a reference corpus is given (load(corpus=...)).
VERIFY_STAGES = ("claim_units", "retrieve", "verify")

#: Claims, opinion, numbers, actors and the outcome ledger, in order (what ``compare`` needs).
CORE_STAGES = ("segment", "language", "encode", "checkworthiness", "subjectivity",
               "quantities", "actors", "ledger")
#: The default analysis, in order: the core stages, then the rhetoric layer.
DEFAULT_STAGES = CORE_STAGES + RHETORIC_STAGES
