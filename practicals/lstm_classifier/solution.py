"""Reference solution: text classification with an LSTM (Keras 3)."""

from __future__ import annotations

import re
from collections import Counter

import keras
import numpy as np

_WORD = re.compile(r"[a-z0-9']+")


class WordTokenizer:
    """Word -> index by frequency, keeping the ``num_words - 1`` most frequent words.

    Index 0 is reserved for padding, so every index is below ``num_words``. Words that were not
    kept (unseen or too rare) are dropped, as the Keras legacy ``Tokenizer`` does.
    """

    def __init__(self, num_words: int) -> None:
        self.num_words = num_words
        self.word_index: dict[str, int] = {}

    @staticmethod
    def words(text: str) -> list[str]:
        return _WORD.findall(text.lower())

    def fit_on_texts(self, texts: list[str]) -> None:
        counts = Counter(word for text in texts for word in self.words(text))
        # Ties keep first-seen order (Counter preserves insertion order), so fitting is deterministic.
        ranked = [word for word, _ in counts.most_common(self.num_words - 1)]
        self.word_index = {word: index for index, word in enumerate(ranked, start=1)}

    def texts_to_sequences(self, texts: list[str]) -> list[list[int]]:
        return [[self.word_index[w] for w in self.words(text) if w in self.word_index] for text in texts]


def prepare_data(
    texts: list[str], labels: list[int], num_words: int = 5000, maxlen: int = 200
) -> tuple[np.ndarray, np.ndarray, WordTokenizer]:
    """Padded word-index sequences ``(n, maxlen)``, one-hot labels ``(n, max(labels) + 1)``, tokenizer."""
    tokenizer = WordTokenizer(num_words)
    tokenizer.fit_on_texts(texts)
    sequences = keras.utils.pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=maxlen)
    labels_array = np.asarray(labels, dtype="int64")
    one_hot = keras.utils.to_categorical(labels_array, num_classes=int(labels_array.max()) + 1)
    return sequences.astype("int32"), one_hot.astype("float32"), tokenizer


def build_model(
    vocab_size: int, maxlen: int, num_classes: int, embedding_dim: int = 100, lstm_units: int = 100
) -> keras.Model:
    """Embedding -> LSTM -> Dense softmax, compiled with categorical cross-entropy and Adam."""
    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            keras.layers.Embedding(vocab_size, embedding_dim),
            keras.layers.LSTM(lstm_units, dropout=0.2),
            keras.layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model
