"""Offline models shipped inside the package: one int8 ONNX encoder, many heads.

Nothing is downloaded at run time. ``bundle()`` returns the shared, lazily
loaded models, so every stage that needs the encoder uses one session.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Errors, ModelError

# onnxruntime's Python build starts a telemetry client when it is imported, which writes an
# event store and a device id under ~/.cache/Microsoft/DeveloperTools; this variable (read
# at that import) keeps it off. A program that imported onnxruntime before claimscope gets
# disable_telemetry_events() in open_session instead.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

#: Where the shipped model files live (CLAIMSCOPE_MODELS overrides, e.g. for a retrained set).
DATA_DIR = Path(os.environ.get("CLAIMSCOPE_MODELS") or Path(__file__).parent / "data")
ENCODER_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
HEADS_FILE = "heads.npz"

from .encoder import HALF_SUFFIX, Encoder, Heads, Tokens, _mean_pool  # noqa: E402,F401
from .runtime import (  # noqa: E402,F401
    _executor,
    _facts,
    _file_facts,
    _no_telemetry,
    _sha256,
    _shared_arena,
    batch_dependent,
    check_files,
    default_threads,
    open_session,
    padded_batches,
    side_by_side,
    warn_if_batch_dependent,
    workers,
)


class ModelBundle:
    """The shipped encoder, heads and manifest, loaded on first use."""

    def __init__(self, data_dir: Path = DATA_DIR, *, verify: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.verify = verify
        self._manifest: dict[str, Any] | None = None
        self._encoder: Encoder | None = None
        self._heads: Heads | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            path = self.data_dir / "manifest.json"
            try:
                self._manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelError(Errors.E005.format(path=path, detail=exc)) from exc
            if self.verify:
                check_files(self.data_dir, {name: entry["sha256"] for name, entry
                                            in self._manifest.get("files", {}).items()})
        return self._manifest

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            m = self.manifest
            self._encoder = Encoder(self.data_dir / ENCODER_FILE, self.data_dir / TOKENIZER_FILE,
                                    max_length=int(m.get("max_length", 128)))
        return self._encoder

    @property
    def heads(self) -> Heads:
        if self._heads is None:
            self._heads = Heads(self.data_dir / HEADS_FILE)
        return self._heads

    @property
    def rhetoric(self) -> Any:
        """The rhetoric heads (persuasion spans, paragraph techniques, frames, genre) that
        read the encoder's token states; see ``claimscope.models.rhetoric_heads``."""
        model = getattr(self, "_rhetoric", None)
        if model is None:
            from .rhetoric_heads import RhetoricModel

            model = RhetoricModel(self.data_dir, verify=self.verify,
                                  encoder_path=self.encoder.onnx_path)
            self._rhetoric = model
        return model

    def describe(self) -> dict[str, Any]:
        """Model names, versions and file hashes for the report's generator block."""
        m = self.manifest
        return {"encoder": m.get("name"), "base_model": m.get("base_model"),
                "heads": sorted(m.get("heads", {})),
                "sha256": {name: e["sha256"] for name, e in m.get("files", {}).items()}}


def model_dir(data_dir: str | Path | None = None) -> Path:
    """The model folder ``data_dir`` (default: the shipped one) in one spelling, the key
    of the process-wide models (``bundle``, ``nli_model``)."""
    return Path(data_dir or DATA_DIR).resolve()


def bundle(data_dir: str | Path | None = None) -> ModelBundle:
    """The process-wide model bundle for ``data_dir`` (default: shipped models).

    ``bundle()``, ``bundle(None)`` and the folder's path in any spelling give one bundle:
    each would otherwise load its own copy of the models."""
    return _bundle(model_dir(data_dir))


@lru_cache(maxsize=4)
def _bundle(data_dir: Path) -> ModelBundle:
    return ModelBundle(data_dir)
