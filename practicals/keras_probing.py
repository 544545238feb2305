"""Helpers shared by the probes of the Keras practicals.

A probe must observe a student's model without assuming how it was written (Sequential, functional
or subclassed; built eagerly or lazily; layers wrapped in Bidirectional/TimeDistributed or nested
in sub-models) and must turn every failure of the student's model into a ``CheckFailed`` that names
the contract function that produced it. The API:

- ``layer_types(model)``: the Keras layer classes used anywhere inside a model;
- ``has_layer(types, *names)``: whether any of those class names occurs (for judges' observations);
- ``run_model(model, x, function=...)``: call a model in inference mode (building it if needed);
- ``compiled_loss(model, function=...)``: the normalised name of the loss the model was compiled with;
- ``train(model, x, y, epochs=..., batch_size=..., function=...)``: fit with the model's own compile
  settings and return the per-epoch history.

Importing this module also pins TensorFlow's thread pools (when TensorFlow has not started yet),
so training budgets behave the same on a busy 2-core grader as on an idle one.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from typing import Any

import keras
import numpy as np

from practicals.check import CheckFailed
from practicals.probing import array_summary, as_array, unpack
from practicals.submission import _short

# Only classes defined by Keras itself count: a student's own class called "LSTM" is not an LSTM,
# but a subclass of keras.layers.LSTM is.
_KERAS_LAYER_MODULES = ("keras.src.layers.", "keras.src.models.")


def _limit_threads() -> None:
    import tensorflow as tf

    # Raises RuntimeError once TensorFlow's runtime is initialised; the defaults then stay.
    with contextlib.suppress(RuntimeError):
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)


_limit_threads()


def layer_types(model: Any) -> list[str]:
    """Sorted names of the Keras layer classes found anywhere inside ``model``.

    The search is recursive: wrappers (Bidirectional, TimeDistributed), nested models and layers
    held as attributes of subclassed models are all visited. Each layer contributes the names of
    every Keras layer class in its MRO, so a GRU also reports ``RNN`` (a "recurrent layer") and a
    subclass of ``keras.layers.LSTM`` reports ``LSTM``.
    """
    if not isinstance(model, keras.layers.Layer):
        raise CheckFailed(f"expected a keras.Model, observed {type(model).__name__}")
    names: set[str] = set()
    for layer in model._flatten_layers(include_self=False, recursive=True):
        for cls in type(layer).__mro__:
            if cls.__module__.startswith(_KERAS_LAYER_MODULES):
                names.add(cls.__name__)
    return sorted(names)


def has_layer(types: Iterable[str], *names: str) -> bool:
    """Whether any of ``names`` occurs in ``types`` (an output of ``layer_types``)."""
    return not set(names).isdisjoint(types)


def run_model(model: Any, x: Any, *, function: str = "build_model") -> np.ndarray:
    """``model(x)`` in inference mode as a numpy array; the call builds a lazily-built model.

    Failures become a CheckFailed naming ``function`` (the contract function that made the model).
    """
    if not callable(model):
        raise CheckFailed(f"`{function}` should return a keras.Model, observed {type(model).__name__}")
    try:
        output = model(x, training=False)
    except Exception as exc:  # noqa: BLE001 - the student's model failing is feedback
        raise CheckFailed(
            f"calling the model returned by `{function}` on input of shape {np.shape(x)} raised "
            f"{type(exc).__name__}: {_short(exc)}"
        ) from exc
    return as_array(output, f"output of the model returned by `{function}`")


def compiled_loss(model: Any, *, function: str = "build_model") -> dict[str, Any]:
    """The loss ``model`` was compiled with: ``{"name": ..., "from_logits": ...}``.

    ``name`` is lower case without underscores, whichever way the loss was given
    (``"categorical_crossentropy"``, ``keras.losses.CategoricalCrossentropy()``, the function), so
    judges compare it with e.g. ``"categoricalcrossentropy"``.
    """
    _require_compiled(model, function)
    loss = model.loss
    from_logits = False
    if isinstance(loss, str):
        name = loss
    elif isinstance(loss, keras.losses.Loss):
        config = _loss_config(loss)
        from_logits = bool(config.get("from_logits", False))
        # A bare wrapper around a loss function is named by its function.
        wrapped = getattr(loss, "fn", None) if type(loss).__name__ == "LossFunctionWrapper" else None
        name = getattr(wrapped, "__name__", type(loss).__name__)
    elif callable(loss):
        name = getattr(loss, "__name__", type(loss).__name__)
    else:
        name = type(loss).__name__
    return {"name": name.replace("_", "").lower(), "from_logits": from_logits}


def train(
    model: Any, x: Any, y: Any, *, epochs: int, batch_size: int, function: str = "build_model"
) -> dict[str, list[float]]:
    """Fit ``model`` with its own compile settings; return its history (``{"loss": [...], ...}``).

    No validation split and no callbacks: the probe decides data, epochs and batch size; the
    student's optimizer, loss and metrics decide the rest.
    """
    _require_compiled(model, function)
    try:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    except Exception as exc:  # noqa: BLE001 - the student's model failing is feedback
        raise CheckFailed(
            f"training the model returned by `{function}` on inputs {_shape(x)} and targets {_shape(y)} "
            f"raised {type(exc).__name__}: {_short(exc)}"
        ) from exc
    return {
        key: [float(v) if math.isfinite(float(v)) else None for v in values]
        for key, values in history.history.items()
    }


def _require_compiled(model: Any, function: str) -> None:
    if not isinstance(model, keras.Model):
        raise CheckFailed(f"`{function}` should return a keras.Model, observed {type(model).__name__}")
    if not getattr(model, "compiled", False) or model.optimizer is None or model.loss is None:
        raise CheckFailed(
            f"`{function}` should return a compiled model (call model.compile(...) with an optimizer "
            "and a loss), observed a model that was not compiled"
        )


def _loss_config(loss: keras.losses.Loss) -> dict[str, Any]:
    try:
        return dict(loss.get_config())
    except Exception:  # noqa: BLE001 - a student's custom Loss may not implement get_config
        return {}


def _shape(value: Any) -> str:
    shape = getattr(value, "shape", None)
    return str(tuple(shape)) if shape is not None else type(value).__name__


# The seed notebook's example texts, used by the text practicals' probes (1 and 3).
SEED_TEXTS = [
    "I love programming in Python",
    "JavaScript is a versatile language",
    "Machine learning is fascinating",
    "I enjoy learning new technologies",
    "Data science is a growing field",
]


def prepare_text_data(
    sub: Any, texts: list[str], labels: list[int], num_words: int, maxlen: int
) -> tuple[np.ndarray, np.ndarray, Any]:
    """Call the contract's ``prepare_data`` and check it returns (sequences, labels, tokenizer)."""
    result = unpack(
        sub.prepare_data(texts, labels, num_words=num_words, maxlen=maxlen), 3, "`prepare_data` result"
    )
    x = as_array(result[0], "`prepare_data` sequences (first item)")
    y = as_array(result[1], "`prepare_data` labels (second item)")
    return x, y, result[2]


def prepared_data_observation(
    texts: list[str], labels: list[int], num_words: int, maxlen: int, x: np.ndarray, y: np.ndarray
) -> dict[str, Any]:
    """What judges need to know about ``prepare_data``'s sequences and labels."""
    observation: dict[str, Any] = {
        "n": len(texts),
        "maxlen": maxlen,
        "num_words": num_words,
        "labels": labels,
        "words_per_text": [len(text.split()) for text in texts],
        "x": array_summary(x),
        "y": array_summary(y),
    }
    if x.ndim == 2:
        observation["nonzero_per_row"] = [int(np.count_nonzero(row)) for row in x]
    return observation
