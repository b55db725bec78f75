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


def _same(a, b, path="doc"):
    """Equal, numbers to within float rounding of the last printed digit."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert abs(a - b) <= 2e-4, (path, a, b)
    else:
        assert a == b, (path, a, b)


def test_an_article_gets_the_same_analysis_alone_or_in_any_batch(nlp, sample_text):
    # every int8 graph quantizes its activations with fixed ranges (training/calibrate.py):
    # with per-batch ranges, spans changed in 15 of 24 articles between the two runs
    texts = ["UN agencies said some 1,100 trucks had entered Gaza since 21 October.",
             sample_text, "This war is a disgrace to humanity.", "Short."]
    one = [nlp(t).to_dict() for t in texts]
    for batch_size in (2, 4):
        many = [d.to_dict() for d in nlp.pipe(texts, batch_size=batch_size)]
        for a, b in zip(one, many):
            _same(a, b)
    assert one[1]["spans"]["persuasion"]  # the comparison covers spans, not only scores


def test_empty_and_whitespace_texts(nlp):
    for text in ("", "   \n\n "):
        doc = nlp(text)
        assert len(doc.sentences) == 0 and not doc.errors
