"""The corpus's approximate-nearest-neighbour index: same hits as exact search with exact
scores, persisted beside the file, rebuilt when the corpus changes, exact below the
threshold and without FAISS."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pytest

from claimscope.corpus import CorpusStore, PassageIn, SourceDoc
from claimscope.corpus import ann as ann_module
from claimscope.corpus.ann import AnnIndex

pytest.importorskip("faiss")


class ClusterEncoder:
    """Texts "<word> <n> ..." near one of 50 random centres (picked by n), each moved by
    noise seeded by its hash: clusters as in real corpora, and no ties."""

    name = "test-cluster-encoder"
    centres = np.random.default_rng(7).standard_normal((50, 384))

    def embed(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            noise = np.random.default_rng(int(hashlib.md5(t.encode()).hexdigest()[:8], 16))
            centre = self.centres[int(t.split()[1]) % 50]
            out.append(centre / np.linalg.norm(centre) + 0.5 * noise.standard_normal(384) / 19.6)
        out = np.array(out, dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _docs(n_docs: int, per_doc: int = 40, prefix: str = "s") -> list[SourceDoc]:
    return [SourceDoc(source=f"{prefix}{d}", date=f"2023-11-{1 + d % 28:02d}",
                      passages=[PassageIn(f"{prefix} {d} {i}", 0, 5) for i in range(per_doc)])
            for d in range(n_docs)]


QUERIES = ClusterEncoder().embed([f"query {j}" for j in range(20)])


def _store(path, **kw) -> CorpusStore:
    return CorpusStore(path, encoder=ClusterEncoder(), **kw)


@pytest.fixture()
def big(tmp_path):
    """4,000 passages; the ANN path from 100 on (100 inverted lists, 32 scanned)."""
    with _store(tmp_path / "c.db", create=True, ann_min=100) as s:
        s.add(_docs(100))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s.build_ann()
        yield s


def test_ann_finds_the_exact_hits_with_exact_scores(big):
    exact = _store(big.path)  # the default threshold: exact search
    assert exact._ann_index() is None and big._ann_index() is not None
    assert big._ann_index().nprobe < big._ann_index().nlist  # it really skips lists
    for max_date in (None, "2023-11-03", "2023-11-20"):
        overlap = []
        for q in QUERIES:
            got, want = big.search_dense(q, 10, max_date=max_date), \
                exact.search_dense(q, 10, max_date=max_date)
            overlap.append(len({p for p, _ in got} & {p for p, _ in want}) / 10)
            # scores are exact cosines of the stored vectors, best first
            ids = [p for p, _ in got]
            mat = exact.vectors()[1][np.searchsorted(exact.vectors()[0], ids)]
            assert [s for _, s in got] == pytest.approx(list(mat @ q), abs=1e-6)
            assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
            if max_date:
                dates = {r["date"] for r in big.passages(ids).values()}
                assert max(dates) <= max_date
        assert np.mean(overlap) >= 0.9, (max_date, overlap)
    exact.close()


def test_ann_index_persists_and_reloads(big, monkeypatch):
    assert big.ann_path.is_file() and not big.ann_due()
    stamp = AnnIndex.read_stamp(big.ann_path)
    first = big.search_dense(QUERIES[0], 5)

    def no_build(*a, **k):
        raise AssertionError("rebuilt an index that is current")

    monkeypatch.setattr(AnnIndex, "build", no_build)
    with _store(big.path, ann_min=100) as again:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no W301: loaded, not built
            assert again.search_dense(QUERIES[0], 5) == first
        assert again._ann.stamp == stamp and len(again._ann) == 4000


def test_ann_rebuilt_when_the_corpus_changes(big):
    stamp = AnnIndex.read_stamp(big.ann_path)
    big.add(_docs(1, per_doc=5, prefix="new"))
    assert big.ann_due()
    new_vec = ClusterEncoder().embed(["new 0 3"])[0]
    with pytest.warns(UserWarning, match="W301"):
        top = big.search_dense(new_vec, 1)[0]
    assert top[1] == pytest.approx(1.0, abs=1e-3)
    assert big.passages([top[0]])[top[0]]["source"] == "new0"
    assert AnnIndex.read_stamp(big.ann_path) not in (None, stamp)
    # another connection's removal makes it stale too
    with _store(big.path, ann_min=100) as other:
        assert other.remove("new0") == 1
    assert big.ann_due()
    with pytest.warns(UserWarning, match="W301"):
        assert big.search_dense(new_vec, 1)[0][0] != top[0]


def test_ann_not_used_below_the_threshold(tmp_path):
    """Under ``ann_min`` passages: the brute-force cosines over the vectors in memory,
    the very numbers of ``mat @ q``, and no index file."""
    with _store(tmp_path / "c.db", create=True, ann_min=4001) as s:
        s.add(_docs(100))
        assert not s.ann_due() and s._ann_index() is None
        ids, mat = s.vectors()
        for q in QUERIES:
            sims = mat @ q
            best = np.argsort(-sims)[:10]
            assert s.search_dense(q, 10) == [(int(ids[i]), float(sims[i])) for i in best]
        assert not s.ann_path.exists()


def test_ann_without_faiss_is_exact_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(ann_module, "available", lambda: False)
    with _store(tmp_path / "c.db", create=True, ann_min=100) as s:
        s.add(_docs(10))
        assert not s.ann_due()
        with pytest.warns(UserWarning, match="W303"):
            got = s.search_dense(QUERIES[0], 10)
        with _store(tmp_path / "c.db") as exact:
            assert got == exact.search_dense(QUERIES[0], 10)
        assert not s.ann_path.exists()


def test_ann_kept_in_memory_when_it_cannot_be_saved(tmp_path, monkeypatch):
    def refuse(self, path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(AnnIndex, "save", refuse)
    with _store(tmp_path / "c.db", create=True, ann_min=100) as s:
        s.add(_docs(10))
        with pytest.warns(UserWarning, match="W302"):
            s.build_ann()
        assert s.search_dense(QUERIES[0], 3) and not s.ann_path.exists()
        assert not s.ann_due()  # this store has a current index, in memory


def test_ann_damaged_file_is_rebuilt(big):
    big.ann_path.write_bytes(b"claimscope-ann\n" + b"\xff" * 20)
    with _store(big.path, ann_min=100) as again:
        assert again.ann_due()
        with pytest.warns(UserWarning, match="W301"):
            assert again.search_dense(QUERIES[0], 3)
        assert not again.ann_due()


def test_ann_retrieve_cosines_come_from_the_file(big):
    """Above the threshold no vector matrix is loaded: retrieval's cosines of fused
    passages are read for those passages alone, and equal the exact ones."""
    ids = [p for p, _ in big.search_bm25("s 3", 20)]
    got = big.cosines(ids, QUERIES[1])
    assert big._vectors is None
    with _store(big.path) as exact:
        assert list(got) == pytest.approx(list(exact.cosines(ids, QUERIES[1])), abs=1e-6)
