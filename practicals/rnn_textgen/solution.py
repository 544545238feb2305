"""Reference solution: character-level text generation with an RNN (Keras 3)."""

from __future__ import annotations

import keras
import numpy as np


def make_sequences(text: str, seq_len: int) -> tuple[np.ndarray, np.ndarray, dict[str, int], dict[int, str]]:
    """Every ``seq_len``-character window as input ``(n, seq_len)``, the next character as target ``(n,)``."""
    chars = sorted(set(text))
    char_to_idx = {char: index for index, char in enumerate(chars)}
    idx_to_char = {index: char for char, index in char_to_idx.items()}
    encoded = np.array([char_to_idx[char] for char in text], dtype="int32")
    count = max(len(text) - seq_len, 0)
    inputs = np.stack([encoded[i : i + seq_len] for i in range(count)]) if count else np.zeros((0, seq_len))
    return inputs.astype("int32"), encoded[seq_len : seq_len + count], char_to_idx, idx_to_char


def build_model(vocab_size: int, seq_len: int, units: int = 128) -> keras.Model:
    """Embedding -> LSTM -> Dense softmax over the vocabulary, for sparse (integer) targets."""
    model = keras.Sequential(
        [
            keras.Input(shape=(seq_len,), dtype="int32"),
            keras.layers.Embedding(vocab_size, min(32, units)),
            keras.layers.LSTM(units),
            keras.layers.Dense(vocab_size, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def generate_text(
    model: keras.Model,
    seed_text: str,
    length: int,
    char_to_idx: dict[str, int],
    idx_to_char: dict[int, str],
    temperature: float = 1.0,
    seed: int | None = None,
) -> str:
    """``seed_text`` followed by ``length`` characters, each predicted from the previous window.

    ``temperature=0`` picks the most likely character; otherwise characters are sampled from the
    model's distribution sharpened (< 1) or flattened (> 1) by the temperature.
    """
    unknown = sorted(set(seed_text) - set(char_to_idx))
    if unknown:
        raise ValueError(f"seed_text has characters outside the vocabulary: {', '.join(map(repr, unknown))}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, not {temperature}")
    rng = np.random.default_rng(seed)
    window = model.input_shape[1]
    indices = [char_to_idx[char] for char in seed_text]
    for _ in range(length):
        # A seed shorter than the window is left-padded with index 0, like pad_sequences.
        context = keras.utils.pad_sequences([indices[-window:]], maxlen=window)
        probabilities = np.asarray(model(context, training=False)[0], dtype="float64")
        if temperature == 0:
            next_index = int(np.argmax(probabilities))
        else:
            logits = np.log(np.maximum(probabilities, 1e-12)) / temperature
            weights = np.exp(logits - logits.max())
            next_index = int(rng.choice(len(weights), p=weights / weights.sum()))
        indices.append(next_index)
    return seed_text + "".join(idx_to_char[index] for index in indices[len(seed_text) :])
