"""The NLI cross-encoder: does a passage entail, contradict or not address a claim?

An int8 ONNX MiniLM fine-tuned here (``training/train_nli.py``) and shipped as
``nli.int8.onnx`` with its manifest ``nli.json`` (label order, temperature, training data,
metrics, sha256). The runtime needs onnxruntime and tokenizers only; pairs are encoded
with the shared ``tokenizer.json`` as ``[CLS] passage [SEP] claim [SEP]``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, ModelError
from . import DATA_DIR, check_files, model_dir, open_session, padded_batches, side_by_side

MANIFEST = "nli.json"


class NLIModel:
    """Calibrated 3-way probabilities for (premise, hypothesis) pairs.

    Parameters are stored here; the session loads on first ``predict_proba``.
    """

    def __init__(self, data_dir: str | Path | None = None, *, verify: bool = True,
                 batch_size: int = 32, threads: int | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir else DATA_DIR
        self.verify = verify
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()
        self.manifest_: dict[str, Any] | None = None
        self.session_: Any = None
        self.tokenizer_: Any = None
        self.tokenizer_both_: Any = None

    @property
    def manifest(self) -> dict[str, Any]:
        if self.manifest_ is None:
            path = self.data_dir / MANIFEST
            try:
                self.manifest_ = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelError(Errors.E005.format(path=path, detail=exc)) from exc
        return self.manifest_

    @property
    def labels(self) -> list[str]:
        return list(self.manifest.get("labels", ["entailment", "neutral", "contradiction"]))

    @property
    def sha256(self) -> str | None:
        return self.manifest.get("sha256", {}).get(self._file)

    @property
    def _file(self) -> str:
        return str(self.manifest.get("files", {}).get("model", "nli.int8.onnx"))

    def thresholds(self) -> dict[str, float]:
        """Stance thresholds chosen with the model (``nli.json``; empty for a model without)."""
        return {k: float(v) for k, v in (self.manifest.get("thresholds") or {}).items()}

    def describe(self) -> dict[str, Any]:
        m = self.manifest
        return {"name": m.get("name"), "base_model": m.get("base_model"),
                "labels": self.labels, "sha256": self.sha256,
                "temperature": m.get("temperature")}

    def _load(self) -> None:
        with self._lock:
            if self.session_ is not None:
                return
            from tokenizers import Tokenizer

            m = self.manifest
            model_path = self.data_dir / self._file
            tok_path = self.data_dir / m.get("files", {}).get("tokenizer", "tokenizer.json")
            for path in (model_path, tok_path):
                if not path.is_file():
                    raise ModelError(Errors.E005.format(path=path, detail="not found"))
            if self.verify and self.sha256:
                # the model, the word embeddings it shares with the encoder, the tokenizer
                check_files(self.data_dir, m.get("sha256", {}))
            tok = Tokenizer.from_file(str(tok_path))
            tok.enable_truncation(max_length=int(m.get("max_length", 128)),
                                  strategy="only_first")
            tok.no_padding()
            sess = open_session(model_path)
            self._inputs = {i.name for i in sess.get_inputs()}
            self.tokenizer_ = tok
            self.session_ = sess

    def _encode(self, pairs: list[tuple[str, str]]) -> list[Any]:
        """Token ids of each (passage, claim) pair, the passage cut to fit; a claim too long
        to fit with any of its passage is cut too (the tokenizer refuses ``only_first``)."""
        try:
            return self.tokenizer_.encode_batch(pairs)
        except Exception:  # noqa: BLE001 - tokenizers raises a bare Exception
            out = []
            for pair in pairs:
                try:
                    out.append(self.tokenizer_.encode(*pair))
                except Exception:  # noqa: BLE001
                    out.append(self._both_sides().encode(*pair))
            return out

    def _both_sides(self) -> Any:
        if self.tokenizer_both_ is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_str(self.tokenizer_.to_str())
            tok.enable_truncation(max_length=int(self.manifest.get("max_length", 128)),
                                  strategy="longest_first")
            tok.no_padding()
            self.tokenizer_both_ = tok
        return self.tokenizer_both_

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw logits, shape (len(pairs), 3), in ``labels`` order."""
        if self.session_ is None:
            self._load()
        out = np.zeros((len(pairs), len(self.labels)), dtype=np.float32)
        if not pairs:
            return out
        encs = self._encode([(p, h) for p, h in pairs])
        jobs = ((idx, {k: v for k, v in (("input_ids", ids), ("attention_mask", mask),
                                         ("token_type_ids", types)) if k in self._inputs})
                for idx, ids, mask, types in padded_batches(
                    [e.ids for e in encs], self.batch_size, [e.type_ids for e in encs]))
        for idx, (logits,) in side_by_side(self.session_, ["logits"], jobs, self.threads):
            out[idx] = logits
        return out

    def predict_proba(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Temperature-calibrated probabilities, shape (len(pairs), 3)."""
        z = self.logits(pairs) / float(self.manifest.get("temperature", 1.0))
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def nli_model(data_dir: str | Path | None = None) -> NLIModel:
    """The process-wide NLI model for ``data_dir`` (default: the shipped one; any spelling
    of a folder's path gives the one model)."""
    return _nli_model(model_dir(data_dir))


@lru_cache(maxsize=4)
def _nli_model(data_dir: Path) -> NLIModel:
    return NLIModel(data_dir)
