"""The user's reference corpus: trusted sources, split into passages, searchable offline.

    from claimscope.corpus import CorpusStore, read_sources
    store = CorpusStore("claimscope.db", create=True)
    store.add(d for d in read_sources(["reports/"]) if not isinstance(d, Exception))
"""

from .ingest import Fields, PassageIn, SourceDoc, iso_date, read_sources, split_passages
from .store import SCHEMA_VERSION, AddResult, CorpusError, CorpusStore, fts_query

__all__ = ["CorpusStore", "CorpusError", "AddResult", "SourceDoc", "PassageIn", "Fields",
           "read_sources", "split_passages", "iso_date", "fts_query", "SCHEMA_VERSION"]
