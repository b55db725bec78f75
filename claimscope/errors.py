"""One catalogue of coded errors and warnings.

Every message says what was expected, what came, and how to fix it. Codes are
stable: tests, reports and users refer to them.

    raise InputError(Errors.E101.format(source="a.txt"))
"""

from __future__ import annotations

from typing import Any


class _WithCodes(type):
    """Prefix each message with its code, as in ``[E101] ...``."""

    def __getattribute__(cls, code: str) -> Any:
        msg = super().__getattribute__(code)
        if code.startswith("_") or not isinstance(msg, str):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=_WithCodes):
    # pipeline and configuration
    E001 = ("Stage '{name}' returned {got!r} instead of a Document. A stage must return "
            "the Document it was given; check its __call__.")
    E002 = ("Unknown {kind} '{name}'. Expected one of: {available}. Register it with "
            "claimscope.registry.{kind}s.register('{name}') or fix the name.")
    E003 = ("Stage '{name}' requires '{attr}', which no earlier stage assigns. Stages so "
            "far: {before}. Add a stage that assigns it before '{name}'.")
    E004 = ("The '{param}' parameter of {owner} must be {expected}. Got {got!r} instead.")
    E005 = ("Model file {path} is missing or unreadable ({detail}). Reinstall claimscope "
            "(`pip install --force-reinstall claimscope`) or retrain with training/.")
    E006 = ("Model file {path} has sha256 {got}, expected {expected} from the manifest. The "
            "package is corrupt or was modified; reinstall or retrain.")
    E007 = ("Stage '{name}' appears twice in the pipeline. Each stage may run once.")
    E008 = ("Expected a str or a Document, got {got}. Pass the article text as a string.")
    E009 = ("Stage '{name}' failed on this article: {detail}")
    E010 = ("The analysis of this article took more than {seconds} s, its time budget, and "
            "was stopped; the other articles were analysed. Split the article, or raise the "
            "budget with --max-seconds.")
    E011 = ("The analysis of this article needed more than {memory} MB beyond the loaded "
            "models, its memory budget, and was stopped; the other articles were analysed. "
            "Split the article, or raise the budget with --max-memory.")
    E012 = ("The process analysing this article stopped ({detail}); the other articles were "
            "analysed. Report it with the article if it happens again.")
    E013 = ("{path}: cannot write the reports there ({detail}). Expected a folder you can "
            "write to; pick another with -o.")
    E015 = ("{n} articles are more than the {limit} that {formats} can hold (each renders "
            "the whole report at once). Write --format jsonl or parquet for a run this size.")
    E016 = ("{formats} not written: the run's articles take {mb} MB, more than the {limit} MB "
            "those formats render at once. The articles are in the json/jsonl/parquet "
            "output; ask for --format jsonl or parquet for a run this size.")
    E014 = ("{path}: the run to resume was made with other models or stages ({detail}). "
            "Resume with the same claimscope and options, or write to a new folder with -o.")
    E017 = ("--engine ray needs Ray with Ray Data, which is not installed ({detail}). "
            "Install it with `pip install 'claimscope[ray]'`, or use the local engine.")
    E018 = ("{formats} cannot be written to a remote folder: expected jsonl or parquet there "
            "(html, md, json and claimreview are written to a local folder).")
    # inputs
    E100 = "{source}: no such file or folder. Check the path."
    E101 = "{source}: the input is empty (no text to analyse)."
    E102 = ("{source}: looks like a binary file ({detail}), not text. Give a .txt, .html or "
            ".jsonl file.")
    E103 = ("{source}: could not decode the text (not UTF-8, and no other encoding fits). "
            "Convert it to UTF-8.")
    E104 = "{source}: line is not a JSON object ({detail}). Each line must be one JSON object."
    E105 = ("{source}: the JSON object has no usable 'text' or 'html' field (found keys: "
            "{keys}). Each line needs a non-empty 'text' or 'html' string.")
    E106 = ("{source}: {size} bytes is more than the limit of {limit} bytes. Split the "
            "input, or raise the limit with --max-bytes.")
    E107 = "{source}: no readable text found in the HTML (malformed or empty page)."
    E108 = ("{source}: unsupported file type '{suffix}'. Expected .txt, .text, .md, .html, "
            ".htm or .jsonl.")
    E109 = "{source}: the folder holds no .txt, .md, .html, .htm or .jsonl files."
    E110 = "{source}: could not read the file ({detail})."
    # actors gazetteers (--actors FILE) and compare
    E200 = ("{source}: expected an actors gazetteer in TOML (one table per actor, e.g. "
            "[\"Hamas\"] names = [\"Hamas\"]), but it could not be read or parsed ({detail}). "
            "Fix the file; the shipped ones in claimscope/gazetteers/ are examples.")
    E201 = ("{source}: {where} must be a table of alias lists (e.g. [\"Israel\"] "
            "forces = [\"IDF\"]), got {got}. Put each actor's aliases under its own table.")
    E202 = ("{source}: {where} must be {expected}, got {got}. See claimscope/gazetteers/ "
            "for the format.")
    E203 = ("compare needs at least two analysed articles, got {got}. Give two or more "
            "articles (files, a folder, or a .jsonl with several lines).")
    # reference corpus and verification (claimscope corpus ..., --corpus DB)
    E300 = ("{path}: not a claimscope corpus ({detail}). Build one with `claimscope corpus "
            "add FILE... --db {path}`, or pass the right --db.")
    E301 = ("{path}: the corpus has schema version {got}, newer than this claimscope "
            "understands ({expected}). Upgrade claimscope, or rebuild the corpus.")
    E302 = ("{source}: cannot add to the corpus: {detail}. Expected .txt, .md, .html, .pdf "
            "(its text layer), .jsonl (passages with text/source/url/date/publisher) or .csv "
            "(one passage per row).")
    E303 = ("{path}: no such corpus. Create it with `claimscope corpus add FILE... --db "
            "{path}`.")
    E304 = ("The corpus {path} was embedded with '{got}', but this run uses '{expected}'. "
            "Rebuild it: `claimscope corpus add ... --db NEW.db`.")
    E305 = ("{source}: the corpus already has a source of this name from {other}; this one "
            "comes from {origin} and was not added (it would have replaced those passages). "
            "Give it another name (--source-field), or `claimscope corpus remove` the other.")
    E306 = ("{path}: cannot write the corpus ({detail}). Expected a file you can write; "
            "check its permissions, or pass another --db.")
    E307 = ("{param}: {detail}. Fix the argument (see `claimscope corpus --help`).")
    # rhetoric heads (persuasion, techniques, framing)
    E400 = ("The rhetoric heads in {path} were trained on the encoder with sha256 "
            "{expected}, but the installed encoder has {got}: their scores would be "
            "meaningless. Retrain them: `python training/train_persuasion.py --data "
            "../shared/data --out {path}`.")
    E401 = ("The '--only' layer '{name}' is unknown. Expected a comma-separated list of: "
            "{available}.")
    E402 = ("The encoder {path} has no output '{name}' (it has: {outputs}), which the "
            "rhetoric heads read as their token states. Install the encoder the heads were "
            "trained with, or retrain them on this one (training/train_persuasion.py).")
    # the web app and fetching articles by URL (claimscope serve, analyze https://...)
    E500 = ("{source}: only http:// and https:// URLs can be fetched, got scheme "
            "'{scheme}'. Give a web address, or save the page and give the file.")
    E501 = ("{source}: the address {address} is private, loopback or reserved, and fetching "
            "it is refused (it could reach services on your network). Save the page and give "
            "the file, or allow the host explicitly (--allow-fetch-host / "
            "CLAIMSCOPE_FETCH_ALLOW_HOSTS).")
    E502 = ("{source}: the page is larger than the limit of {limit} bytes. Save the part you "
            "need as a file, or raise the limit.")
    E503 = "{source}: the server answered HTTP {status}; expected 200. Check the address."
    E504 = ("{source}: could not fetch the page ({detail}). Check the address and the "
            "network, or save the page and give the file.")
    E505 = ("{source}: more than {limit} redirects. Give the final address of the page.")
    E506 = ("{source}: the server sent '{content_type}', not an HTML or text page. Save the "
            "document and give the file (a PDF can be added to a corpus).")
    E510 = "No article with id '{id}' in the store. See /articles for what it holds."
    E511 = "The request is not valid: {detail}."
    E512 = ("The Host header '{host}' is not an address this server answers to (expected one "
            "of: {expected}). Open the address `claimscope serve` printed; to serve another "
            "name, start it with --allow-host NAME.")
    E513 = ("Refused a write from another site (origin '{origin}'). Use the page this server "
            "serves; cross-site form posts are refused.")
    E514 = "No page at '{path}'. See / for the app and /docs for the API."
    E515 = "Method {method} is not allowed on '{path}'."
    E516 = "No job with id '{id}'. Jobs are kept while the server runs."
    E517 = ("Nothing to analyse: give text, HTML, a URL or a file ({detail}).")
    E518 = "The server failed on this request ({detail}). It is a bug: please report it."
    E519 = ("This server has no reference corpus. Start it with --corpus FILE to check "
            "claims and search sources.")
    E520 = ("{path}: cannot open the analysis store ({detail}). Give another --store file, "
            "or move this one aside.")


class Warnings(metaclass=_WithCodes):
    W001 = ("The article looks like '{lang}', not English. The models are English-only: "
            "scores may be unreliable until multilingual support lands.")
    W002 = ("Main-text extraction found nothing in the HTML; all visible text was used "
            "instead (menus and footers may be included).")
    W003 = ("The text was decoded as {encoding} (not UTF-8); offsets index the decoded "
            "text.")
    W004 = ("Could not tell the article's language (too little text); English models "
            "were applied.")
    W005 = ("{path} quantizes its activations per batch (onnxruntime quantize_dynamic), so a "
            "sentence's scores depend on the other sentences of its batch. Run "
            "training/calibrate.py on the model folder to fix the ranges.")
    W300 = ("The reference corpus is empty: every claim is 'not_enough_evidence'. Add "
            "passages with `claimscope corpus add`.")
    W301 = ("Building the approximate-nearest-neighbour index of the corpus ({n} passages) "
            "into {path}: once, before the first search (`claimscope corpus add` builds it "
            "after adding).")
    W302 = ("The approximate-nearest-neighbour index could not be saved to {path} ({detail}); "
            "it is kept in memory and built again by the next run. Make that folder writable.")
    W303 = ("The corpus {path} has {n} passages but FAISS is not installed: dense search is "
            "exact over every vector (slower). Install it with `pip install 'claimscope[ann]'`.")


class ClaimscopeError(Exception):
    """Base class of claimscope's errors; ``code`` is the catalogue code (e.g. 'E101')."""

    @property
    def code(self) -> str | None:
        msg = str(self)
        if msg.startswith("[") and "]" in msg[:8]:
            return msg[1:msg.index("]")]
        return None


class InvalidParameterError(ClaimscopeError, ValueError, TypeError):
    """A parameter has a wrong type or value (catchable as ValueError or TypeError)."""


class PipelineError(ClaimscopeError):
    """The pipeline is misconfigured, or a stage broke its contract."""


class ModelError(ClaimscopeError):
    """A shipped model file is missing or corrupt."""


class InputError(ClaimscopeError, ValueError):
    """An input cannot be read as an article."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


def check_param(owner: str, param: str, value: Any, ok: bool, expected: str) -> None:
    """Raise InvalidParameterError in the one message shape unless ``ok``."""
    if not ok:
        raise InvalidParameterError(
            Errors.E004.format(param=param, owner=owner, expected=expected, got=value)
        )
