"""AnalysisStore: add/get/list/search/filter, ids by content, WAL, concurrent writers."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import at_once

from claimscope.errors import ClaimscopeError
from claimscope.store import AnalysisStore, content_hash, technique_key


def article(text, **meta):
    base = {"id": meta.pop("id", "a"), "text": text, "title": None, "url": None,
            "outlet": None, "published": None, "language": "en", "warnings": [],
            "errors": [], "quantities": [],
            "sentences": [{"start": 0, "end": len(text), "text": text,
                           "checkworthiness": 0.9, "subjectivity": 0.1}],
            "spans": {"persuasion": [{"start": 0, "end": 4, "technique": "Name_Calling,Labeling"}],
                      "actors": [{"start": 0, "end": 4, "label": "Hamas"}]},
            "actors": [{"name": "Hamas", "mentions": 1}]}
    base.update(meta)
    return base


def test_add_get_same_content_same_id(tmp_path):
    store = AnalysisStore(tmp_path / "a.db")
    a = article("Rockets were fired at the city on Monday.", title="T", outlet="O")
    sid = store.add(a, generator={"name": "claimscope"})
    assert sid == content_hash(a)[:16]
    assert store.add(a) == sid and store.count() == 1
    assert store.get(sid) == a and store.get(content_hash(a)) == a
    assert store.get("nope") is None
    assert store.generator(sid) == {}  # the second add replaced it
    b = dict(a, title="Another title")
    assert store.add(b) != sid and store.count() == 2


def test_survives_reopen_and_is_wal(tmp_path):
    path = tmp_path / "sub" / "a.db"
    sid = AnalysisStore(path).add(article("Some text about the war."))
    again = AnalysisStore(path)
    assert again.get(sid)["text"] == "Some text about the war."
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_filters_and_search(tmp_path):
    store = AnalysisStore(tmp_path / "a.db")
    a = store.add(article("Tanks crossed the border at dawn.", outlet="Outlet A",
                          published="2023-11-18T10:00:00", genre={"label": "reporting"}))
    b = store.add(article("Shelling hit the hospital overnight.", outlet="Outlet B",
                          published="2023-12-01", genre={"label": "opinion"},
                          claims=[{"verdict": "refuted"}],
                          spans={"persuasion": [{"start": 0, "end": 3,
                                                 "technique": "Loaded_Language"}]},
                          actors=[{"name": "Israel", "mentions": 2}]))
    ids = lambda rows: {r["id"] for r in rows}  # noqa: E731
    assert ids(store.list()) == {a, b}
    assert ids(store.filter(outlet="Outlet A")) == {a}
    assert ids(store.filter(date_from="2023-11-20")) == {b}
    assert ids(store.filter(date_to="2023-11-18")) == {a}
    assert ids(store.filter(genre="opinion")) == {b}
    # a technique matches however it is spelled
    assert ids(store.filter(technique="Name_Calling-Labeling")) == {a}
    assert ids(store.filter(technique="loaded language")) == {b}
    assert ids(store.filter(verdict="refuted")) == {b}
    assert ids(store.filter(actor="Israel")) == {b}
    assert ids(store.search("hospital")) == {b}
    assert ids(store.search("tank")) == {a}  # porter stemming
    assert ids(store.filter(q="hospital", outlet="Outlet A")) == set()
    # FTS5 syntax in a query is plain words, never an error
    assert store.search('" OR * NEAR( title: -') == []
    assert ids(store.search('hospital" OR "tanks')) == set()  # every word must match
    assert ids(store.search('hospital" OR "shelling')) == {b}
    row = store.filter(outlet="Outlet B")[0]
    assert row["verdicts"] == {"refuted": 1} and row["actors"] == {"Israel": 2}
    assert row["checkworthy"] == 1 and row["day"] == "2023-12-01"
    facets = store.facet_values()
    assert facets["outlet"] == ["Outlet A", "Outlet B"]
    assert technique_key("Loaded_Language") in facets["technique"]
    assert store.remove(a) and not store.remove(a)
    assert ids(store.search("tanks")) == set()


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "a.db"

    def work(k):
        store = AnalysisStore(path)  # one store per writer, as two processes would
        for i in range(15):
            store.add(article(f"Writer {k} article {i} about the ceasefire."))

    assert at_once(work, 4) == []
    assert AnalysisStore(path).count() == 60


def test_many_writers_may_create_a_new_file_at_once(tmp_path):
    # The switch of a new file to WAL mode races between first users; none may fail.
    for n in range(30):
        path = tmp_path / f"new{n}.db"

        def work(k, path=path):
            store = AnalysisStore(path)
            for i in range(3):
                store.add(article(f"Writer {k} article {i} about the truce."))

        assert at_once(work, 6) == []
        assert AnalysisStore(path).count() == 18


def test_not_a_store_is_a_coded_error(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE x (y)")
    con.commit()
    con.close()
    with pytest.raises(ClaimscopeError, match=r"^\[E520\]"):
        AnalysisStore(path).count()
    with pytest.raises(ValueError, match="E004"):
        AnalysisStore(tmp_path / "b.db").add({"no": "text"})
