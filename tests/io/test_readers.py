import io
import json

import pytest

from claimscope import Document
from claimscope.io import ReadError, read


def _one(paths, **kw):
    items = list(read(paths, **kw))
    assert len(items) == 1, items
    return items[0]


def test_txt_text_is_unchanged(tmp_path):
    content = "GAZA CITY\r\nMore than 4,000 rockets.  \n\nAround 240 captives.\n"
    p = tmp_path / "a.txt"
    p.write_text(content, encoding="utf-8", newline="")
    doc = _one([p])
    assert isinstance(doc, Document)
    assert doc.text == content and doc.id == "a" and doc.meta["source"] == str(p)


def test_utf8_bom_is_dropped(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfHello world, this is text.")
    assert _one([p]).text == "Hello world, this is text."


def test_non_utf8_is_detected(tmp_path):
    p = tmp_path / "latin.txt"
    text = "Le ministère a déclaré que les négociations étaient suspendues. " * 5
    p.write_bytes(text.encode("cp1252"))
    doc = _one([p])
    assert isinstance(doc, Document)
    assert "négociations" in doc.text
    assert doc.warnings and doc.warnings[0]["code"] == "W003"


def test_utf16_with_bom(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("Some text in UTF-16 here.".encode("utf-16"))
    assert _one([p]).text == "Some text in UTF-16 here."


@pytest.mark.parametrize("data,code", [
    (b"", "E101"), (b"  \n\t ", "E101"),
    (b"abc\x00\x01\x02def" * 10, "E102"), (b"%PDF-1.7 blah", "E102"),
    (bytes(range(1, 32)) * 50, "E102"),
])
def test_bad_text_files(tmp_path, data, code):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    err = _one([p])
    assert isinstance(err, ReadError) and err.code == code
    assert str(p) in err.message


def test_too_large(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("word " * 1000)
    err = _one([p], max_bytes=100)
    assert isinstance(err, ReadError) and err.code == "E106" and "--max-bytes" in err.message


def test_missing_path(tmp_path):
    err = _one([tmp_path / "nope.txt"])
    assert err.code == "E100"


def test_html_main_text_and_metadata(tmp_path):
    body = " ".join(["The army said more than 4,000 rockets were fired at towns."] * 6)
    html = (f"<html><head><title>Rocket fire</title></head><body><nav>Home | World</nav>"
            f"<article><h1>Rocket fire</h1><p>{body}</p><p>Officials said talks would "
            f"resume on Monday in Cairo.</p></article><footer>Copyright</footer></body></html>")
    p = tmp_path / "page.html"
    p.write_text(html)
    doc = _one([p])
    assert isinstance(doc, Document)
    assert "4,000 rockets" in doc.text and "Copyright" not in doc.text
    assert doc.meta["title"] == "Rocket fire"


def test_malformed_html_falls_back_or_errors(tmp_path):
    p = tmp_path / "broken.html"
    p.write_text("<div><p>Short broken page with <b>unclosed tags<script>alert(1)</script>")
    doc = _one([p])
    assert isinstance(doc, Document)
    assert "Short broken page" in doc.text and "alert" not in doc.text
    assert doc.warnings[0]["code"] == "W002"
    q = tmp_path / "empty.html"
    q.write_text("<html><body><script>var x=1;</script></body></html>")
    err = _one([q])
    assert isinstance(err, ReadError) and err.code == "E107"


def test_jsonl_good_and_bad_lines(tmp_path):
    p = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "First article text.", "outlet": "X", "url": "http://x"}),
        "{not json",
        "",
        json.dumps({"id": "a3", "title": "no text"}),
        json.dumps(["a list"]),
        json.dumps({"html": "<p>Second article from html with enough words to keep.</p>"}),
    ]
    p.write_text("\n".join(lines) + "\n")
    items = list(read([p]))
    assert [type(i).__name__ for i in items] == ["Document", "ReadError", "ReadError",
                                                 "ReadError", "Document"]
    assert items[0].id == "a1" and items[0].meta["outlet"] == "X"
    assert items[0].meta["source"] == f"{p}:1"
    assert items[1].code == "E104" and items[1].source == f"{p}:2"
    assert items[2].code == "E105" and "title" in items[2].message
    assert items[3].code == "E104" and items[3].source == f"{p}:5"
    assert items[4].id == "batch-6" and "Second article" in items[4].text


def test_folder_reports_unsupported_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Alpha text here.")
    (tmp_path / "sub" / "b.md").write_text("Beta text here.")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("ignored")
    items = list(read([tmp_path]))
    kinds = [(type(i).__name__, getattr(i, "code", None)) for i in items]
    assert kinds == [("Document", None), ("ReadError", "E108"), ("Document", None)]


def test_empty_folder(tmp_path):
    assert _one([tmp_path]).code == "E109"


def test_stdin_text_and_html():
    doc = _one(["-"], stdin=io.BytesIO(b"Plain text from a pipe."))
    assert doc.text == "Plain text from a pipe." and doc.meta["source"] == "<stdin>"
    page = b"<!DOCTYPE html><html><body><p>" + b"Words in a page from stdin. " * 10 + \
        b"</p></body></html>"
    doc = _one(["-"], stdin=io.BytesIO(page))
    assert doc.text.startswith("Words in a page") and "<p>" not in doc.text
    assert _one(["-"], stdin=io.BytesIO(b"")).code == "E101"


# hostile input: every reader bounds its parser and hands out valid Unicode ---------------


def test_deeply_nested_jsonl_line_is_one_coded_error(tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_text('{"id": "ok", "text": "The army said 300 trucks entered Gaza."}\n'
                 + "[" * 100_000 + "]" * 100_000 + "\n"
                 + '{"id": "nested", "text": "Fine.", "meta": {"a": [[[1]]]}}\n')
    items = list(read([p]))
    assert [i.id for i in items if isinstance(i, Document)] == ["ok", "nested"]
    (err,) = [i for i in items if isinstance(i, ReadError)]
    assert err.code == "E104" and err.source == f"{p}:2" and "nested" in err.message


@pytest.mark.parametrize("line", [
    '{"id": "s", "text": "Before \\ud800 after, the army said.", "title": "T\\udfff"}',
    '{"id": "s", "text": "Before \\u0000 after, the army said.", "title": "T\\u0000"}',
])
def test_lone_surrogates_and_nul_are_replaced(tmp_path, line):
    p = tmp_path / "s.jsonl"
    p.write_text(line + "\n")
    doc = _one([p])
    assert doc.text == "Before \ufffd after, the army said."
    assert doc.meta["title"] == "T\ufffd"
    doc.text.encode("utf-8")  # nothing left that UTF-8 cannot hold


def test_nul_after_the_first_64k_is_replaced(tmp_path):
    p = tmp_path / "late.txt"
    p.write_bytes(b"The army said so. " * 4000 + b"\x00tail")
    doc = _one([p])
    assert "\x00" not in doc.text and doc.text.endswith("\ufffdtail")
    assert len(doc.text) == 18 * 4000 + 5  # same length: offsets still index the file


@pytest.mark.parametrize("text", ["Café", "Ärger über Öl", "naïve résumé", "Café ’quoted’"])
def test_short_western_text_is_read_as_cp1252(tmp_path, text):
    p = tmp_path / "w.txt"
    p.write_bytes(text.encode("cp1252"))
    assert _one([p]).text == text


def test_cyrillic_code_page_is_still_detected(tmp_path):
    p = tmp_path / "ru.txt"
    p.write_bytes("Война и мир — роман Льва Николаевича Толстого.".encode("cp1251"))
    assert _one([p]).text == "Война и мир — роман Льва Николаевича Толстого."


def test_deeply_nested_html_keeps_its_text(tmp_path):
    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * 100_000 + "The army said 300 trucks entered Gaza."
                 + "</div>" * 100_000 + "<script>var x = 1;</script></body></html>")
    doc = _one([p])
    assert isinstance(doc, Document), doc
    assert doc.text == "The army said 300 trucks entered Gaza."
