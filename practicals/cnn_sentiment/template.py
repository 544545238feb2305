"""Practical 3: sentiment analysis with a 1-D CNN (Keras 3).

Implement the three functions below; `quiz check` runs the visible checks on your file.
"""

from __future__ import annotations

import keras
import numpy as np


def prepare_data(
    texts: list[str], labels: list[int], num_words: int = 5000, maxlen: int = 200
) -> tuple[np.ndarray, np.ndarray, object]:
    """Turn texts and 0/1 labels (0 negative, 1 positive) into model inputs.

    Returns ``(sequences, labels, tokenizer)``:
    - ``sequences``: integer array ``(len(texts), maxlen)`` of word indices, padded with 0 and
      truncated to exactly ``maxlen``; every index is below ``num_words``;
    - ``labels``: float array ``(len(texts),)`` holding the given labels;
    - ``tokenizer``: the fitted tokenizer, with ``texts_to_sequences(list[str])``; unseen words must
      not raise.
    """
    raise NotImplementedError(
        "fit a word tokenizer on `texts`, pad with keras.utils.pad_sequences and return the labels "
        "you were given as floats"
    )


def build_model(
    vocab_size: int, maxlen: int, embedding_dim: int = 100, filters: int = 64, kernel_size: int = 3
) -> keras.Model:
    """A compiled Embedding -> Conv1D -> GlobalMaxPooling1D -> Dense -> Dense(sigmoid) model with
    binary cross-entropy: input ``(batch, maxlen)`` word indices, output ``(batch, 1)`` probabilities.
    """
    raise NotImplementedError(
        "stack Embedding, Conv1D(filters, kernel_size, activation='relu'), GlobalMaxPooling1D, "
        "Dense(..., activation='relu') and Dense(1, activation='sigmoid'); compile with "
        "loss='binary_crossentropy' and optimizer='adam'"
    )


def predict_sentiment(model: keras.Model, tokenizer: object, texts: list[str], maxlen: int) -> np.ndarray:
    """Probability that each text is positive, as a float array ``(len(texts),)`` in [0, 1].

    Prepare the texts exactly as ``prepare_data`` did (same tokenizer, same padding side).
    """
    raise NotImplementedError(
        "tokenize with the fitted tokenizer, pad like prepare_data, run the model and flatten to (n,)"
    )
