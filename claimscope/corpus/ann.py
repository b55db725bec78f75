"""The approximate-nearest-neighbour index of a large corpus (FAISS IVF, float16 vectors).

Exact cosine over every vector costs time in proportion to the corpus; above
``CorpusStore.ann_min`` passages dense search asks this index for candidates instead and
the store rescores them with the stored vectors, so scores stay exact cosines.

Labels are the passages' ranks in (date, id) order, so "dated on or before a day" is a
label range that the search filters on inside the index. The index is saved beside the
corpus file (``claimscope.db.ann``): a magic line, the length and JSON of a header (the
corpus stamp it was built from), the passage ids and day numbers in label order, then the
FAISS index.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"claimscope-ann\n"
FORMAT = 1
#: inverted lists scanned per query on the whole corpus (recall@100 ~0.98, see
#: benchmarks/results_ann_choice.json); a date filter that keeps a fraction of the corpus
#: scans proportionally more lists
NPROBE = 32
#: k-means is trained on this many vectors per inverted list (FAISS asks for >= 39)
TRAIN_PER_LIST = 40


def available() -> bool:
    """Whether FAISS can be imported (the ``ann`` extra: ``pip install 'claimscope[ann]'``)."""
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def n_lists(n: int) -> int:
    """Inverted lists for ``n`` vectors: a power of two near 4 sqrt(n) (1024 at 100k, 4096
    at 1M)."""
    return int(2 ** round(math.log2(max(16.0, 4 * math.sqrt(max(n, 1))))))


class AnnIndex:
    """A FAISS IVF index over a corpus's vectors, labelled by rank in date order."""

    def __init__(self, index: Any, ids: np.ndarray, days: np.ndarray, stamp: str,
                 nprobe: int = NPROBE) -> None:
        self.index = index
        self.ids = ids  # passage id of each label
        self.days = days  # its day number (YYYYMMDD, 0 undated), ascending
        self.stamp = stamp
        self.nprobe = nprobe

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nlist(self) -> int:
        return int(self.index.nlist)

    @classmethod
    def build(cls, ids: np.ndarray, days: np.ndarray, stamp: str,
              sample: Callable[[np.ndarray], np.ndarray],
              chunks: Iterator[tuple[np.ndarray, np.ndarray]], *, threads: int = 1,
              progress: Callable[[str], None] | None = None) -> AnnIndex:
        """An index over the passages ``ids`` (dated ``days``): ``sample(ids)`` gives the
        vectors of some ids (k-means is trained on them), ``chunks`` yields (ids, float32
        vectors) of every passage, a chunk at a time, in any order."""
        import faiss

        order = np.lexsort((ids, days))
        ids, days = ids[order], days[order]
        n = len(ids)
        nlist = min(n_lists(n), max(1, n // TRAIN_PER_LIST))
        # the ids sorted, and each one's label: a chunk's labels by binary search
        by_id = np.argsort(ids)
        sorted_ids = ids[by_id]
        previous = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(max(1, threads))
        try:
            index = faiss.index_factory(384, f"IVF{nlist},SQfp16", faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            train_ids = np.sort(rng.choice(ids, min(n, TRAIN_PER_LIST * nlist), replace=False))
            if progress:
                progress(f"training {nlist} lists on {len(train_ids):,} vectors")
            index.train(np.ascontiguousarray(sample(train_ids), dtype=np.float32))
            done = 0
            for chunk_ids, vectors in chunks:
                labels = by_id[np.searchsorted(sorted_ids, chunk_ids)].astype(np.int64)
                index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), labels)
                done += len(chunk_ids)
                if progress:
                    progress(f"indexed {done:,} of {n:,} vectors")
        finally:
            faiss.omp_set_num_threads(previous)
        return cls(index, ids.astype(np.int64), days.astype(np.int64), stamp)

    def search(self, vector: np.ndarray, k: int, max_day: int | None = None
               ) -> np.ndarray:
        """Passage ids of about the ``k`` nearest vectors (dated on or before ``max_day``),
        best first by the index's own scores."""
        import faiss

        n = len(self.ids)
        limit = n if max_day is None else int(np.searchsorted(self.days, max_day, "right"))
        if limit == 0 or k <= 0:
            return np.zeros(0, np.int64)
        # a filter that keeps a fraction of the corpus leaves that fraction of each list:
        # scan proportionally more lists to see as many candidates as without it
        nprobe = min(self.nlist, math.ceil(self.nprobe * n / limit))
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        if limit < n:
            selector = faiss.IDSelectorRange(0, limit)
            params.sel = selector
        _, labels = self.index.search(np.ascontiguousarray(vector[None, :], dtype=np.float32),
                                      min(k, limit), params=params)
        labels = labels[0]
        return self.ids[labels[labels >= 0]]

    # persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to ``path`` (a temporary file renamed over it: a reader sees the
        old file or the new one, never half of one)."""
        import faiss

        header = json.dumps({"format": FORMAT, "stamp": self.stamp, "n": len(self.ids),
                             "nlist": self.nlist, "nprobe": self.nprobe}).encode()
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + struct.pack("<Q", len(header)) + header)
                fh.write(self.ids.astype("<i8").tobytes())
                fh.write(self.days.astype("<i8").tobytes())
                faiss.write_index(self.index, faiss.PyCallbackIOWriter(fh.write))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def read_stamp(path: Path) -> str | None:
        """The stamp of the index at ``path`` (None when missing or unreadable)."""
        try:
            with open(path, "rb") as fh:
                return _header(fh).get("stamp")
        except (OSError, ValueError):
            return None

    @classmethod
    def load(cls, path: Path) -> AnnIndex | None:
        """The index saved at ``path``, or None when it is missing or unreadable."""
        import faiss

        try:
            with open(path, "rb") as fh:
                head = _header(fh)
                n = int(head["n"])
                ids = np.frombuffer(fh.read(8 * n), dtype="<i8").astype(np.int64)
                days = np.frombuffer(fh.read(8 * n), dtype="<i8").astype(np.int64)
                if len(ids) != n or len(days) != n:
                    return None
                index = faiss.read_index(faiss.PyCallbackIOReader(fh.read))
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        if index.ntotal != n:
            return None
        return cls(index, ids, days, str(head["stamp"]), int(head.get("nprobe", NPROBE)))


def _header(fh: Any) -> dict[str, Any]:
    if fh.read(len(MAGIC)) != MAGIC:
        raise ValueError("not a claimscope ANN index")
    (size,) = struct.unpack("<Q", fh.read(8))
    if size > 1 << 20:
        raise ValueError("header too long")
    head = json.loads(fh.read(size))
    if head.get("format") != FORMAT:
        raise ValueError(f"format {head.get('format')}")
    return head
