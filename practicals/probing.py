"""Helpers for probes: deterministic seeding and defensive conversion of student return values."""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from practicals.check import CheckFailed

# Set before TensorFlow or torch start their runtimes; harmless when they never load.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def seed_everything(seed: int, *, imports: Iterable[str] = ()) -> None:
    """Seed python, numpy and TensorFlow/Keras and torch when they are loaded or in ``imports`` (the packages
    that code about to run imports). Seeding TensorFlow matters beyond reproducibility: under
    TF_DETERMINISTIC_OPS, as here, its random ops (initialisers, dropout, shuffles) fail without a seed."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    loaded = {*imports, *sys.modules}
    if "keras" in loaded or "tensorflow" in loaded:
        import keras

        keras.utils.set_random_seed(seed)
    if "torch" in loaded:
        import torch

        torch.manual_seed(seed)


def as_array(value: Any, what: str) -> np.ndarray:
    """``value`` as a numpy array, or a CheckFailed naming ``what`` and the type observed."""
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001
        raise CheckFailed(f"{what}: expected an array, observed {type(value).__name__} ({exc})") from None
    if array.dtype == object:
        raise CheckFailed(f"{what}: expected a numeric array, observed {type(value).__name__} of mixed items")
    return array


def describe(value: Any) -> str:
    """``value`` for a message: its repr, named with its type unless it is a plain Python value (a spaCy
    ``Span`` shows as ``Apple``, which reads like a str)."""
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    if isinstance(value, (str, int, float, bool, list, tuple, dict, type(None))):
        return text
    package = type(value).__module__.split(".")[0]
    kind = type(value).__name__ if package == "builtins" else f"{package} {type(value).__name__}"
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} ({text})"


def unpack(value: Any, count: int, what: str) -> tuple[Any, ...]:
    """Check that a function returned a tuple/list of ``count`` items."""
    if not isinstance(value, (tuple, list)) or len(value) != count:
        observed = type(value).__name__
        if isinstance(value, (tuple, list)):
            observed += f" of length {len(value)}"
        raise CheckFailed(f"{what}: expected a tuple of {count} items, observed {observed}")
    return tuple(value)


def array_summary(array: np.ndarray) -> dict[str, Any]:
    """A JSON-friendly description of an array for judges."""
    summary: dict[str, Any] = {"shape": list(array.shape), "dtype": str(array.dtype)}
    if array.size and array.dtype.kind in "biuf":
        summary["min"], summary["max"] = float(np.min(array)), float(np.max(array))
        summary["finite"] = bool(np.isfinite(array).all())
    return summary
