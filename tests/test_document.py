import pytest

from claimscope import Document, InvalidParameterError


def test_spans_are_character_offsets():
    doc = Document("Over 4,000 rockets were fired.")
    span = doc.spans["quantities"].add(0, 18, counted="rockets")
    assert span.text == "Over 4,000 rockets"
    assert doc.spans["quantities"][0] is span
    assert list(doc.spans["quantities"].covering(5, 6)) == [span]
    assert list(doc.spans["quantities"].covering(20, 25)) == []


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 2), (0, 999), (0.5, 3)])
def test_bad_offsets_are_refused(start, end):
    doc = Document("short text")
    with pytest.raises(InvalidParameterError, match="E004"):
        doc.char_span(start, end)


def test_text_must_be_str():
    with pytest.raises(InvalidParameterError, match="E008"):
        Document(b"bytes")  # type: ignore[arg-type]


def test_round_trip_through_dict():
    doc = Document("A b. C d.", id="x", source="x.txt", title="T")
    doc.sentences.add(0, 4, checkworthiness=0.9, subjectivity=0.1)
    doc.sentences.add(5, 9, checkworthiness=0.2, subjectivity=0.8)
    doc.spans["quantities"].add(0, 1, low=1.0, high=1.0, approximate=False, bound="exact",
                                unit=None, counted=None, kind="count")
    doc.spans["persuasion"].add(5, 6, label="Loaded_Language", score=0.7)
    doc.warn("[W001] not English")
    doc.fields["ledger"] = [{"actor": "A", "kind": "outcome"}]
    data = doc.to_dict()
    assert data["ledger"] == [{"actor": "A", "kind": "outcome"}]
    assert data["sentences"][1] == {"start": 5, "end": 9, "text": "C d.",
                                    "checkworthiness": 0.2, "subjectivity": 0.8}
    assert data["spans"]["persuasion"][0]["label"] == "Loaded_Language"
    again = Document.from_dict(data)
    assert again.to_dict() == data


def test_warnings_are_coded_and_not_repeated():
    doc = Document("x")
    doc.warn("[W004] too short")
    doc.warn("[W004] too short")
    assert doc.warnings == [{"code": "W004", "message": "too short"}]
