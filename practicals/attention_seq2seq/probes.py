"""Probes for attention_seq2seq: call the submission on tiny one-hot inputs and report what they return."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np

from practicals import keras_probing
from practicals.check import CheckFailed, ProbeContext
from practicals.probing import array_summary, as_array
from practicals.seq2seq_probing import call_outputs, one_hot, reversal_pairs

BUILD = "build_attention_seq2seq"


def _inputs(rng: np.random.Generator, batch: int, tx: int, ty: int, ne: int, nd: int) -> list[np.ndarray]:
    return [one_hot(rng.integers(0, ne, (batch, tx)), ne), one_hot(rng.integers(0, nd, (batch, ty)), nd)]


def _predict(model: Any, inputs: list[np.ndarray]) -> np.ndarray:
    return call_outputs(model, inputs, count=1, what="the model", function=BUILD)[0]


def _scores(sub: Any, model: Any, inputs: list[np.ndarray]) -> np.ndarray:
    return as_array(sub.attention_scores(model, inputs[0], inputs[1]), "result of `attention_scores`")


def probe_shapes(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """The model's output and the attention scores on one batch, with their row sums."""
    kw = ctx.kwargs
    model = sub.build_attention_seq2seq(kw["ne"], kw["nd"], latent_dim=kw["latent_dim"])
    inputs = _inputs(np.random.default_rng(ctx.seed), kw["batch"], kw["tx"], kw["ty"], kw["ne"], kw["nd"])
    observation: dict[str, Any] = {"compiled": bool(getattr(model, "compiled", False))}
    for name, array in (("output", _predict(model, inputs)), ("scores", _scores(sub, model, inputs))):
        observation[name] = array_summary(array)
        if array.dtype.kind == "f" and array.size:
            sums = array.sum(axis=-1)
            observation[name].update(row_sum_min=float(sums.min()), row_sum_max=float(sums.max()))
    return observation


def probe_batch_independence(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """How much a sample's output changes when it is predicted alone rather than in a batch."""
    kw = ctx.kwargs
    model = sub.build_attention_seq2seq(kw["ne"], kw["nd"], latent_dim=kw["latent_dim"])
    inputs = _inputs(np.random.default_rng(ctx.seed), kw["batch"], kw["tx"], kw["ty"], kw["ne"], kw["nd"])
    together = _predict(model, inputs)
    alone = np.concatenate([_predict(model, [x[i : i + 1] for x in inputs]) for i in range(kw["batch"])])
    if alone.shape != together.shape:
        raise CheckFailed(
            f"the model from `{BUILD}`: expected the same output shape per sample alone and in a batch, "
            f"observed {alone.shape[1:]} alone and {together.shape[1:]} in a batch of {kw['batch']}"
        )
    return {"max_difference": float(np.abs(alone - together).max())}


@contextlib.contextmanager
def _attention_silenced(model: Any) -> Iterator[int]:
    """Within the block, every attention layer of ``model`` returns an all-zero context (its scores,
    when returned, are kept). Yields how many attention layers were found."""
    found = [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        # Keras' attention layers (and their subclasses) and a student's own "...Attention" layer.
        if any("attention" in cls.__name__.lower() for cls in type(layer).__mro__)
    ]
    originals = {id(layer): layer.call for layer in found}

    def silenced(call: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = call(*args, **kwargs)
            if isinstance(result, (tuple, list)):
                return type(result)([keras.ops.zeros_like(result[0]), *result[1:]])
            return keras.ops.zeros_like(result)

        return wrapper

    for layer in found:
        layer.call = silenced(layer.call)
    try:
        yield len(found)
    finally:
        for layer in found:
            layer.call = originals[id(layer)]


def probe_context_combined(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """With the attention context replaced by zeros, does the output still follow the decoder input?"""
    kw = ctx.kwargs
    model = sub.build_attention_seq2seq(kw["ne"], kw["nd"], latent_dim=kw["latent_dim"])
    rng = np.random.default_rng(ctx.seed)
    encoder_x, decoder_a = _inputs(rng, kw["batch"], kw["tx"], kw["ty"], kw["ne"], kw["nd"])
    decoder_b = np.roll(decoder_a, 1, axis=-1)
    _predict(model, [encoder_x, decoder_a])  # builds a lazily-built model before its layers are searched
    with _attention_silenced(model) as count:
        outputs = [_predict(model, [encoder_x, decoder]) for decoder in (decoder_a, decoder_b)]
    return {
        "attention_layers": count,
        "layer_types": keras_probing.layer_types(model),
        "change_without_context": float(np.abs(outputs[0] - outputs[1]).max()),
    }


def _alignment_data(rng: np.random.Generator, count: int, length: int, vocab: int) -> list[np.ndarray]:
    """Teacher-forcing arrays for reversal: decoder input is [start] + target[:-1] (start = vocab)."""
    sources, targets = reversal_pairs(rng, count, length, vocab)
    decoder_in = np.concatenate([np.full((count, 1), vocab), targets[:, :-1]], axis=1)
    return [one_hot(sources, vocab), one_hot(decoder_in, vocab + 1), one_hot(targets, vocab + 1)]


def probe_learns_alignment(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Train on sequence reversal (the submission's compile settings); teacher-forced token accuracy on
    unseen sequences."""
    kw = ctx.kwargs
    vocab, length = kw["vocab"], kw["length"]
    rng = np.random.default_rng(ctx.seed)
    train_x, train_in, train_y = _alignment_data(rng, kw["train"], length, vocab)
    test_x, test_in, test_y = _alignment_data(rng, kw["test"], length, vocab)
    model = sub.build_attention_seq2seq(vocab, vocab + 1, latent_dim=kw["latent_dim"])
    history = keras_probing.train(
        model, [train_x, train_in], train_y, epochs=kw["epochs"], batch_size=kw["batch_size"], function=BUILD
    )
    probs = _predict(model, [test_x, test_in])
    if probs.shape != test_y.shape:
        raise CheckFailed(
            f"output of the model from `{BUILD}`: expected {test_y.shape}, observed {probs.shape}"
        )
    return {
        "losses": history.get("loss", []),
        "accuracy": float((probs.argmax(-1) == test_y.argmax(-1)).mean()),
    }
