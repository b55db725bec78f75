"""The rhetoric report section (render/rhetoric.py): content, escaping, registration."""

from claimscope.render.rhetoric import rhetoric_html, rhetoric_markdown
from claimscope.render.sections import SECTIONS, html_sections, markdown_sections

EVIL = '<script>alert("x")</script>'
TEXT = f"The {EVIL} thugs lie.\nCalm line.\n"


def article():
    return {
        "text": TEXT,
        "sentences": [{"start": 0, "end": TEXT.index("\n"), "text": ""},
                      {"start": TEXT.index("Calm"), "end": len(TEXT) - 1, "text": ""}],
        "spans": {"persuasion": [
            {"start": 4, "end": 4 + len(EVIL), "text": EVIL, "label": "Loaded_Language",
             "technique": "Loaded_Language", "score": 0.7},
            {"start": 0, "end": 3, "text": "The", "label": EVIL, "technique": EVIL, "score": 0.2}]},
        "paragraphs": [
            {"start": 0, "end": TEXT.index("\n"), "techniques": [
                {"label": "Name_Calling-Labeling", "score": 0.81}, {"label": EVIL, "score": 0.5}]},
            {"start": TEXT.index("Calm"), "end": len(TEXT) - 1, "techniques": []}],
        "frames": [{"label": "Security_and_defense", "score": 0.9}, {"label": EVIL, "score": 0.6}],
        "genre": {"label": "opinion", "score": 0.77, "scores": {"opinion": 0.77}},
    }


def test_rhetoric_html_escapes_everything():
    html = str(rhetoric_html(article(), 2))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Name Calling, Labeling" in html and "(0.81)" in html  # one spelling for both
    assert "Security and defense" in html and "opinion" in html
    assert 'href="#a2-s0"' in html                      # links to the paragraph's sentence
    assert "1 of 2 paragraphs" in html
    assert "Loaded Language" in html                   # span technique counts


def test_rhetoric_markdown_escapes_everything():
    md = rhetoric_markdown(article())
    assert "<script>" not in md and "&lt;script" in md
    assert "| Paragraph | Techniques |" in md and "Genre: opinion (0.77)" in md
    assert md.count("\n| ") == 3  # header, separator, one paragraph row


def test_rhetoric_section_is_registered_and_skips_empty():
    assert SECTIONS["rhetoric"].key == "paragraphs"
    a = article()
    assert any("Rhetoric" in str(s) for s in html_sections(a, 1))
    assert any("### Rhetoric" in s for s in markdown_sections(a))
    empty = {"text": "x", "paragraphs": [{"start": 0, "end": 1, "techniques": []}]}
    assert str(rhetoric_html(empty, 1)) == "" and rhetoric_markdown(empty) == ""
    broken = {"text": 5, "paragraphs": "nope", "frames": [3, None], "genre": "x", "spans": []}
    assert str(rhetoric_html(broken, 1)) == "" and rhetoric_markdown(broken) == ""


def test_full_page_renders_rhetoric(tmp_path):
    from claimscope.render.html import render_html
    from claimscope.render.markdown import render_markdown

    a = article()
    a.update({"id": "x", "warnings": [], "quantities": [], "errors": []})
    report = {"schema_version": "1", "generator": {}, "articles": [a], "errors": []}
    page = render_html(report)
    assert "Rhetoric" in page and "<script>alert" not in page
    assert "### Rhetoric" in render_markdown(report)
