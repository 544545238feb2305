"""Reference solution: sentiment analysis with a 1-D CNN (Keras 3)."""

from __future__ import annotations

import keras
import numpy as np


class VectorTokenizer:
    """``texts_to_sequences`` over a ``keras.layers.TextVectorization`` vocabulary.

    Index 0 is padding and 1 stands for any unknown word; ``max_tokens`` counts both, so every
    index is below ``num_words``.
    """

    def __init__(self, num_words: int) -> None:
        self.vectorizer = keras.layers.TextVectorization(max_tokens=num_words, output_mode="int")

    def fit_on_texts(self, texts: list[str]) -> None:
        self.vectorizer.adapt(texts)

    def texts_to_sequences(self, texts: list[str]) -> list[list[int]]:
        if not texts:
            return []
        rows = keras.ops.convert_to_numpy(self.vectorizer(list(texts)))
        # The layer pads every row to the longest text; padding is re-applied by the caller.
        return [[int(index) for index in row if index != 0] for row in rows]


def _pad(sequences: list[list[int]], maxlen: int) -> np.ndarray:
    # One place decides padding and truncation, so training and prediction always agree.
    return keras.utils.pad_sequences(sequences, maxlen=maxlen, padding="post", truncating="post")


def prepare_data(
    texts: list[str], labels: list[int], num_words: int = 5000, maxlen: int = 200
) -> tuple[np.ndarray, np.ndarray, VectorTokenizer]:
    """Padded word-index sequences ``(n, maxlen)``, float 0/1 labels ``(n,)``, the fitted tokenizer."""
    tokenizer = VectorTokenizer(num_words)
    tokenizer.fit_on_texts(texts)
    sequences = _pad(tokenizer.texts_to_sequences(texts), maxlen)
    return sequences.astype("int32"), np.asarray(labels, dtype="float32"), tokenizer


def build_model(
    vocab_size: int, maxlen: int, embedding_dim: int = 100, filters: int = 64, kernel_size: int = 3
) -> keras.Model:
    """Embedding -> Conv1D -> GlobalMaxPooling1D -> Dense -> Dense sigmoid, binary cross-entropy."""
    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            keras.layers.Embedding(vocab_size, embedding_dim),
            keras.layers.Conv1D(filters, kernel_size, activation="relu"),
            keras.layers.GlobalMaxPooling1D(),
            keras.layers.Dense(filters, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def predict_sentiment(
    model: keras.Model, tokenizer: VectorTokenizer, texts: list[str], maxlen: int
) -> np.ndarray:
    """Probability that each text is positive, shape ``(n,)``."""
    sequences = _pad(tokenizer.texts_to_sequences(texts), maxlen)
    return keras.ops.convert_to_numpy(model(sequences, training=False)).reshape(-1)
