"""Helpers for probes: deterministic seeding and defensive conversion of student return values."""

from __future__ import annotations

import os
import random
import sys
from typing import Any

import numpy as np

from practicals.check import CheckFailed

# Set before TensorFlow or torch start their runtimes; harmless when they never load.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def seed_everything(seed: int) -> None:
    """Seed python, numpy and, when loaded, TensorFlow/Keras and torch."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
    if "torch" in sys.modules:
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
