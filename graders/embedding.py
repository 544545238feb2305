"""Sentence and token embeddings from one forward pass of the sentence-transformers model.

``encode`` returns, per text, the normalised sentence embedding and the normalised contextual token
embeddings with the word each word piece belongs to, so that sentence similarity and BERTScore-style
token alignment need a single ``model.encode`` call.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# Up to this many texts a forward pass is small: splitting it over idle cores saves about a third of a
# single grade's time, but on a busy machine waiting for a second thread costs more than it saves, so
# small batches run on one thread whenever the cores are already in use.
SMALL_BATCH_TEXTS = 16


def load_model() -> SentenceTransformer:
    """The embedding model, resolved by ``graders.assets`` (offline)."""
    from graders.assets import load_embedding_model

    return load_embedding_model()


@dataclass(frozen=True)
class Encoded:
    vector: np.ndarray  # (dim,) unit norm
    tokens: np.ndarray  # (n_pieces, dim) unit-norm rows, [CLS]/[SEP] removed
    words: tuple[str, ...]  # for each piece, the lower-cased whole word it is part of


def _piece_words(pieces: list[str]) -> tuple[str, ...]:
    words: list[str] = []
    start = 0
    for i, piece in enumerate(pieces + ["<end>"]):
        if i == len(pieces) or not piece.startswith("##"):
            if i > start:
                word = pieces[start] + "".join(p[2:] for p in pieces[start + 1 : i])
                words.extend([word] * (i - start))
            start = i
    return tuple(words)


def encode(model: SentenceTransformer, texts: list[str], *, batch_size: int = 64) -> list[Encoded]:
    if not texts:
        return []
    with _torch_threads(1 if len(texts) <= SMALL_BATCH_TEXTS and _cores_busy() else None):
        outputs = model.encode(texts, output_value=None, batch_size=batch_size, show_progress_bar=False)
    convert = model.tokenizer.convert_ids_to_tokens
    result = []
    for out in outputs:
        # Batched outputs are padded to the longest text of the batch: keep the real tokens only.
        n = int(out["attention_mask"].sum())
        ids = out["input_ids"][:n].tolist()
        tokens = out["token_embeddings"][:n].float().numpy()[1:-1]
        tokens = tokens / np.maximum(np.linalg.norm(tokens, axis=1, keepdims=True), 1e-9)
        vector = out["sentence_embedding"].float().numpy()
        result.append(Encoded(vector, tokens, _piece_words(convert(ids[1:-1]))))
    return result


def _cores_busy() -> bool:
    """Whether other work already occupies the cores (1-minute load average, which counts this process)."""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5
    except OSError:  # no load average on this platform
        return False


@contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    """Run torch on ``n`` intra-op threads (None: leave as is), restoring the previous count."""
    import torch

    previous = torch.get_num_threads()
    if n is None or n == previous:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
