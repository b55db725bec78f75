import claimscope


def test_analyze_one_text():
    doc = claimscope.analyze("More than 4,000 rockets were fired at Israel, the army said. "
                             "What a shameful, cowardly act!", id="x")
    assert [s.text for s in doc.sentences] == [
        "More than 4,000 rockets were fired at Israel, the army said.",
        "What a shameful, cowardly act!"]
    first, second = doc.sentences
    assert first.attrs["checkworthiness"] > second.attrs["checkworthiness"]
    assert second.attrs["subjectivity"] >= 0.5 > first.attrs["subjectivity"]
    (q,) = [q for q in doc.spans["quantities"] if "4,000" in q.text]
    assert q.attrs["low"] == 4000 and q.attrs["bound"] == "at_least"
    assert doc.meta["id"] == "x"


def test_pipe_matches_call(nlp):
    texts = ["UN agencies said some 1,100 trucks had entered Gaza since 21 October.",
             "This war is a disgrace to humanity.", "Short."]
    one = [nlp(t).to_dict()["sentences"] for t in texts]
    many = [d.to_dict()["sentences"] for d in nlp.pipe(texts, batch_size=2)]
    for a, b in zip(one, many):
        assert [s["text"] for s in a] == [s["text"] for s in b]
        for sa, sb in zip(a, b):
            assert abs(sa["checkworthiness"] - sb["checkworthiness"]) < 0.02


def test_empty_and_whitespace_texts(nlp):
    for text in ("", "   \n\n "):
        doc = nlp(text)
        assert len(doc.sentences) == 0 and not doc.errors
