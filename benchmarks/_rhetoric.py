"""Helpers of the rhetoric benchmarks: data readers (training/persuasion_data.py) and pipelines."""

from __future__ import annotations

import os
import sys

from _common import ROOT, SHARED, data_dir  # noqa: F401

sys.path.insert(0, str(ROOT / "training"))

import persuasion_data  # noqa: E402

persuasion_data.SHARED = SHARED
#: where a benchmark reads its models (CLAIMSCOPE_MODELS, else the shipped ones)
MODELS = os.environ.get("CLAIMSCOPE_MODELS") or None


def pipeline(*stages: str, **config):
    """The real pipeline with the given rhetoric stages after segment, language, encode."""
    import claimscope

    names = ["segment", "language", "encode", *stages]
    cfg = {"encode": {"token_states": True}}
    cfg.update(config)
    return claimscope.load(names, models=MODELS, config=cfg)


def docs_of(articles: list[dict]):
    from claimscope import Document

    return [Document(a["text"], id=a["id"]) for a in articles]
