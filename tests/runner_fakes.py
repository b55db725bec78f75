"""Stages for the runner and Ray tests (imported by workers): some misbehave on purpose
(the worker budget tests), one shows how the articles were batched."""

from __future__ import annotations

import os
import time

from claimscope import registry
from claimscope.pipeline import Stage


@registry.stages.register("test_misbehave")
class Misbehave(Stage):
    """'SLEEP' in an article: sleeps 30 s; 'HOG': holds 400 MB; 'CRASH': the process dies."""

    name = "test_misbehave"
    requires = ("spans.sentences",)
    assigns = ("doc.misbehaved",)

    def predict(self, docs):
        for d in docs:
            if "SLEEP" in d.text:
                time.sleep(30)
            if "HOG" in d.text:
                hog = bytearray(400 * 2**20)
                for i in range(0, len(hog), 4096):
                    hog[i] = 1
                time.sleep(5)
            if "CRASH" in d.text:
                os._exit(3)
        return [None] * len(docs)

    def set_annotations(self, docs, preds):
        for d in docs:
            d.fields["misbehaved"] = False


@registry.stages.register("test_batchmates")
class Batchmates(Stage):
    """Writes the ids of the articles its model batch held (``batchmates``)."""

    name = "test_batchmates"
    assigns = ("fields.batchmates",)

    def predict(self, docs):
        return [d.id for d in docs]

    def set_annotations(self, docs, preds):
        for d in docs:
            d.fields["batchmates"] = list(preds)
