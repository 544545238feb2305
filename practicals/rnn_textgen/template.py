"""Practical 2: character-level text generation with an RNN (Keras 3).

Implement the three functions below; `quiz check` runs the visible checks on your file.
"""

from __future__ import annotations

import keras
import numpy as np


def make_sequences(text: str, seq_len: int) -> tuple[np.ndarray, np.ndarray, dict[str, int], dict[int, str]]:
    """Cut ``text`` into training examples for next-character prediction.

    Returns ``(inputs, targets, char_to_idx, idx_to_char)``:
    - ``inputs``: integer array ``(n, seq_len)``, each row the indices of ``seq_len`` consecutive characters;
    - ``targets``: integer array ``(n,)``, the index of the character that follows each row;
    - ``char_to_idx`` / ``idx_to_char``: inverse maps covering exactly the characters of ``text``.
    """
    raise NotImplementedError(
        "build the character vocabulary, then slide a window of seq_len characters over the text: "
        "the window is an input row and the next character its target"
    )


def build_model(vocab_size: int, seq_len: int, units: int = 128) -> keras.Model:
    """A compiled model from integer character indices ``(batch, seq_len)`` to next-character
    probabilities ``(batch, vocab_size)``: a recurrent layer (LSTM, GRU ...) and a softmax.
    Targets are integers, so compile with sparse categorical cross-entropy.
    """
    raise NotImplementedError(
        "stack Embedding(vocab_size, ...), LSTM(units) (or GRU) and Dense(vocab_size, activation='softmax'); "
        "compile(loss='sparse_categorical_crossentropy', optimizer='adam')"
    )


def generate_text(
    model: keras.Model,
    seed_text: str,
    length: int,
    char_to_idx: dict[str, int],
    idx_to_char: dict[int, str],
    temperature: float = 1.0,
    seed: int | None = None,
) -> str:
    """Return ``seed_text`` followed by exactly ``length`` generated characters.

    Each step feeds the indices of the last ``seq_len`` characters (fewer while the text is shorter)
    to the model and decodes the chosen index back to a character. ``temperature=0`` takes the most
    likely character; otherwise sample from the probabilities reweighted by ``1 / temperature``,
    using a random generator seeded with ``seed``. A character of ``seed_text`` outside the
    vocabulary raises ``ValueError`` naming it.
    """
    raise NotImplementedError(
        "loop `length` times: predict from the last window, pick an index (argmax or sample), "
        "decode it with idx_to_char and append it"
    )
