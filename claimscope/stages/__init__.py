"""Built-in pipeline stages, registered by name in ``claimscope.registry.stages``."""

from . import heads, language, quantities, segment  # noqa: F401  (registration)

#: The default analysis, in order.
DEFAULT_STAGES = ("segment", "language", "encode", "checkworthiness", "subjectivity",
                  "quantities")
