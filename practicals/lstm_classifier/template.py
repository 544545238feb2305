"""Practical 1: text classification with an LSTM (Keras 3).

Implement the two functions below; `quiz check` runs the visible checks on your file.
"""

from __future__ import annotations

import keras
import numpy as np


def prepare_data(
    texts: list[str], labels: list[int], num_words: int = 5000, maxlen: int = 200
) -> tuple[np.ndarray, np.ndarray, object]:
    """Turn texts and integer labels into model inputs.

    Returns ``(sequences, one_hot_labels, tokenizer)``:
    - ``sequences``: integer array ``(len(texts), maxlen)`` of word indices, padded with 0 and
      truncated to exactly ``maxlen``; every index is below ``num_words``.
    - ``one_hot_labels``: float array ``(len(texts), max(labels) + 1)`` with a single 1 per row.
    - ``tokenizer``: the fitted tokenizer; it must offer ``texts_to_sequences(list[str])`` and must
      not raise on words it has never seen.
    """
    raise NotImplementedError(
        "fit a word tokenizer on `texts` (Keras 3 has no Tokenizer: write a small one or wrap "
        "keras.layers.TextVectorization), pad with keras.utils.pad_sequences and one-hot the labels"
    )


def build_model(
    vocab_size: int, maxlen: int, num_classes: int, embedding_dim: int = 100, lstm_units: int = 100
) -> keras.Model:
    """A compiled Embedding -> LSTM -> Dense(softmax) classifier.

    Input: integer word indices ``(batch, maxlen)`` below ``vocab_size``. Output: ``(batch,
    num_classes)`` probabilities. Compile with categorical cross-entropy, Adam and accuracy.
    """
    raise NotImplementedError(
        "stack Embedding(vocab_size, embedding_dim), LSTM(lstm_units) and Dense(num_classes, "
        "activation='softmax'), then compile(loss='categorical_crossentropy', optimizer='adam', "
        "metrics=['accuracy'])"
    )
