"""Helpers shared by the probes of the two sequence-to-sequence practicals (5 and 8).

They complement ``practicals.keras_probing`` (use that for training, layer types and single-output
models) with what one-hot encoder-decoder models need:

- ``one_hot(indices, depth)``: float32 one-hot arrays, the input format of both practicals;
- ``token_rows(array)``: read a one-hot array back as token indices, marking padding and rows that
  are not one-hot, so judges can compare sequences;
- ``call_outputs(model, inputs, count=..., ...)``: call a model with several outputs (the inference
  models of practical 5) and get numpy arrays, or a ``CheckFailed`` naming the contract function;
- ``reversal_pairs(...)``: random sources and their reversals, the alignment task of practical 8.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from practicals.check import CheckFailed
from practicals.probing import as_array
from practicals.submission import _short

PADDING = -1  # token_rows' value for an all-zero (padding) row


def one_hot(indices: Any, depth: int) -> np.ndarray:
    """``indices`` (any shape) as a float32 one-hot array of shape ``indices.shape + (depth,)``."""
    return np.eye(depth, dtype="float32")[np.asarray(indices, dtype=int)]


def token_rows(array: np.ndarray) -> list[list[int | None]]:
    """Per sample, per step of a ``(n, T, V)`` array: the index of a one-hot row, ``PADDING`` for an
    all-zero row, ``None`` for anything else (random values, two hot entries ...)."""
    values = np.asarray(array, dtype="float64")
    ones = np.isclose(values, 1.0)
    zeros = np.isclose(values, 0.0)
    one_hot_rows = (ones.sum(axis=-1) == 1) & ((ones | zeros).all(axis=-1))
    zero_rows = zeros.all(axis=-1)
    indices = values.argmax(axis=-1)
    return [
        [
            int(i) if hot else (PADDING if blank else None)
            for i, hot, blank in zip(idx, hots, blanks, strict=True)
        ]
        for idx, hots, blanks in zip(indices, one_hot_rows, zero_rows, strict=True)
    ]


def call_outputs(model: Any, inputs: Any, *, count: int, what: str, function: str) -> list[np.ndarray]:
    """``model(inputs)`` in inference mode as ``count`` numpy arrays (``count=1``: a single output)."""
    if not callable(model):
        raise CheckFailed(
            f"{what} from `{function}`: expected a keras.Model, observed {type(model).__name__}"
        )
    try:
        outputs = model(inputs, training=False)
    except Exception as exc:  # noqa: BLE001 - the student's model failing is feedback
        shapes = [tuple(np.shape(x)) for x in inputs] if isinstance(inputs, list) else np.shape(inputs)
        raise CheckFailed(
            f"calling {what} from `{function}` on inputs of shapes {shapes} raised "
            f"{type(exc).__name__}: {_short(exc)}"
        ) from exc
    if count == 1:
        return [as_array(outputs, f"output of {what} from `{function}`")]
    if isinstance(outputs, dict) or not isinstance(outputs, (list, tuple)) or len(outputs) != count:
        observed = f"{len(outputs)} outputs" if isinstance(outputs, (list, tuple)) else "a single output"
        raise CheckFailed(f"{what} from `{function}`: expected {count} outputs, observed {observed}")
    return [
        as_array(output, f"output {i + 1} of {what} from `{function}`") for i, output in enumerate(outputs)
    ]


def reversal_pairs(
    rng: np.random.Generator, count: int, length: int, vocab: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random sources ``(count, length)`` over ``vocab`` symbols and their reversals."""
    sources = rng.integers(0, vocab, size=(count, length))
    return sources, sources[:, ::-1].copy()
