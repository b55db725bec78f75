"""Input and output: readers of articles and writers of reports."""

from .readers import DEFAULT_MAX_BYTES, ReadError, decode, read

__all__ = ["read", "ReadError", "decode", "DEFAULT_MAX_BYTES"]
