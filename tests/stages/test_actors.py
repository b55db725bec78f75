"""The actors stage and gazetteers: alias resolution, case rules, user files."""

from __future__ import annotations

import pytest

import claimscope
from claimscope.actors import Gazetteer, load_gazetteer
from claimscope.document import Document
from claimscope.errors import InvalidParameterError
from claimscope.stages.actors import Actors


def _found(text: str, gaz: Gazetteer | None = None) -> list[tuple[str, str]]:
    gaz = gaz or load_gazetteer()
    return [(text[m.start:m.end], m.actor) for m in gaz.find(text)]


@pytest.mark.parametrize("alias, actor", [
    ("Hamas", "Hamas"), ("IDF", "Israel"), ("Kyiv", "Ukraine"), ("Netanyahu", "Israel"),
    ("Israeli forces", "Israel"), ("Russian troops", "Russia"), ("Kremlin", "Russia"),
    ("Zelenskyy", "Ukraine"), ("Palestinian Islamic Jihad", "Palestinian Islamic Jihad"),
    ("Hezbollah", "Hezbollah"), ("Palestinian Authority", "Palestinian Authority"),
    ("UNRWA", "United Nations"), ("US", "United States"), ("Tehran", "Iran"),
    ("Cairo", "Egypt"), ("Qatari mediators", "Qatar"), ("Sinwar", "Hamas"),
    ("Israel Defense Forces", "Israel"), ("Ukrainians", "Ukraine"),
])
def test_actors_alias_resolves(alias: str, actor: str) -> None:
    text = f"Officials said {alias} had spoken."
    assert _found(text) == [(alias, actor)]


def test_actors_longest_alias_wins() -> None:
    assert _found("Palestinian Islamic Jihad and the Palestinian Authority") == [
        ("Palestinian Islamic Jihad", "Palestinian Islamic Jihad"),
        ("Palestinian Authority", "Palestinian Authority")]
    assert _found("Israeli troops entered") == [("Israeli troops", "Israel")]


def test_actors_case_rules() -> None:
    # acronyms are exact; capitalised names need a capital; no match after a hyphen
    assert _found("they told us about un-aligned idf") == []
    assert _found("a gallant effort by the putin-era elite") == []
    assert _found("pro-Russian separatists and anti-Hamas protests") == []
    assert _found("the Hamas-run ministry") == [("Hamas", "Hamas")]
    assert _found("ISRAELI FORCES") == [("ISRAELI FORCES", "Israel")]
    # an acronym inside an all-capitals headline is not trusted
    assert _found("AID FROM THE US ARRIVES") == []


def test_actors_stage_spans_and_field() -> None:
    nlp = claimscope.load(["segment", "actors"])
    doc = nlp("Israel said the IDF struck Hamas. Netanyahu spoke. Russia and Ukraine.")
    labels = [(s.text, s.label, s.attrs["via"]) for s in doc.spans["actors"]]
    assert ("IDF", "Israel", "forces") in labels
    assert ("Netanyahu", "Israel", "leaders") in labels
    assert doc.fields["actors"][0] == {"name": "Israel", "mentions": 3}
    names = {a["name"] for a in doc.fields["actors"]}
    assert names == {"Israel", "Hamas", "Russia", "Ukraine"}
    out = doc.to_dict()
    assert out["actors"] == doc.fields["actors"]
    assert out["spans"]["actors"][0]["label"] == "Israel"


def test_actors_user_file_merges_over_defaults(tmp_path) -> None:
    path = tmp_path / "extra.toml"
    path.write_text('["Israel"]\nforces = ["Tzahal"]\n\n["Wagner Group"]\n'
                    'names = ["Africa Corps"]\n', encoding="utf-8")
    stage = Actors(extra=path)
    doc = Document("Tzahal and Hamas; the Africa Corps arrived.")
    stage(doc)
    assert [(s.text, s.label) for s in doc.spans["actors"]] == [
        ("Tzahal", "Israel"), ("Hamas", "Hamas"), ("Africa Corps", "Wagner Group")]


def test_actors_user_file_replace(tmp_path) -> None:
    path = tmp_path / "replace.toml"
    path.write_text('["Israel"]\nreplace = true\nnames = ["Israel"]\n', encoding="utf-8")
    gaz = load_gazetteer((str(path),))
    assert _found("the IDF and Israel", gaz) == [("Israel", "Israel")]


@pytest.mark.parametrize("content, code", [
    ("this is = not [toml", "E200"),
    ('Israel = "a string"', "E201"),
    ('["Israel"]\nforces = "IDF"', "E202"),
    ('["Israel"]\nforces = [1, 2]', "E202"),
    ('["Israel"]\nswap = 3\nnames = ["Israel"]', "E202"),
    ('["Israel"]\nconflict = "x"', "E202"),
])
def test_actors_bad_file_has_coded_error(tmp_path, content: str, code: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameterError) as exc:
        Actors(extra=path)
    assert exc.value.code == code
    assert str(path) in str(exc.value)


def test_actors_missing_file(tmp_path) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        Actors(extra=tmp_path / "nope.toml")
    assert exc.value.code == "E200"


def test_actors_cli_bad_file_is_usage_error(tmp_path) -> None:
    from click.testing import CliRunner

    from claimscope.cli import main

    art = tmp_path / "a.txt"
    art.write_text("Israel said Hamas had failed.", encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[[", encoding="utf-8")
    res = CliRunner().invoke(main, ["analyze", str(art), "-o", str(tmp_path / "out"),
                                    "--stages", "segment,actors", "--actors", str(bad)])
    assert res.exit_code == 2
    assert "E200" in res.output


def test_actors_cli_extra_file(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from claimscope.cli import main

    art = tmp_path / "a.txt"
    art.write_text("Tzahal said Hamas had failed.", encoding="utf-8")
    extra = tmp_path / "extra.toml"
    extra.write_text('["Israel"]\nforces = ["Tzahal"]\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["analyze", str(art), "-o", str(tmp_path / "out"),
                                    "--format", "json", "--stages", "segment,actors",
                                    "--actors", str(extra)])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert {a["name"] for a in report["articles"][0]["actors"]} == {"Israel", "Hamas"}
