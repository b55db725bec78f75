import pytest

from claimscope.errors import Errors, InputError, InvalidParameterError, Warnings, check_param


def test_messages_carry_their_code():
    assert Errors.E101.format(source="a.txt").startswith("[E101] a.txt: the input is empty")
    assert Warnings.W001.format(lang="fr").startswith("[W001] ")


def test_error_code_property():
    exc = InputError(Errors.E102.format(source="x", detail="NUL bytes"), source="x")
    assert exc.code == "E102"
    assert exc.source == "x"


def test_check_param_message_shape():
    with pytest.raises(InvalidParameterError) as info:
        check_param("Pipeline.pipe", "batch_size", 0, False, "an int >= 1")
    msg = str(info.value)
    assert msg == ("[E004] The 'batch_size' parameter of Pipeline.pipe must be an int >= 1. "
                   "Got 0 instead.")
    # usable with existing `except ValueError` / `except TypeError` code
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


def test_every_message_says_something():
    for cls in (Errors, Warnings):
        codes = [c for c in vars(cls) if c[:1] in "EW" and c[1:].isdigit()]
        assert codes
        for code in codes:
            assert getattr(cls, code).startswith(f"[{code}] ")


def test_claimscope_threads_must_be_a_positive_whole_number(monkeypatch):
    from claimscope.errors import InvalidParameterError
    from claimscope.models import default_threads

    monkeypatch.setenv("CLAIMSCOPE_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("CLAIMSCOPE_THREADS", "")
    assert default_threads() >= 1
    for bad in ("two", "0", "-1"):
        monkeypatch.setenv("CLAIMSCOPE_THREADS", bad)
        with pytest.raises(InvalidParameterError, match="CLAIMSCOPE_THREADS.*whole number"):
            default_threads()
