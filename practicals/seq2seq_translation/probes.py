"""Probes for seq2seq_translation: call the submission on tiny one-hot inputs and report what they return."""

from __future__ import annotations

import itertools
from typing import Any

import keras
import numpy as np

from practicals import keras_probing
from practicals.check import CheckFailed, ProbeContext
from practicals.probing import array_summary, as_array, unpack
from practicals.seq2seq_probing import call_outputs, one_hot, token_rows

FUNCTION = "build_seq2seq"


def _prepare(
    sub: Any, sources: list[list[int]], targets: list[list[int]], ne: int, nd: int, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    result = unpack(sub.prepare_data(sources, targets, ne, nd, start, stop), 3, "`prepare_data` result")
    names = ("encoder inputs (first item)", "decoder inputs (second item)", "decoder targets (third item)")
    return tuple(as_array(item, f"`prepare_data` {name}") for item, name in zip(result, names, strict=True))


def _build(sub: Any, ne: int, nd: int, latent_dim: int) -> tuple[Any, Any, Any]:
    return unpack(sub.build_seq2seq(ne, nd, latent_dim=latent_dim), 3, f"`{FUNCTION}` result")


def probe_prepare_data(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """prepare_data on given sequences: each array's summary and its rows read back as tokens."""
    kw = ctx.kwargs
    arrays = _prepare(sub, kw["sources"], kw["targets"], kw["ne"], kw["nd"], kw["start"], kw["stop"])
    observation: dict[str, Any] = {}
    for name, array in zip(("encoder_input", "decoder_input", "decoder_target"), arrays, strict=True):
        observation[name] = array_summary(array)
        if array.ndim == 3 and array.dtype.kind in "biuf":
            observation[name]["tokens"] = token_rows(array)
    return observation


def _random_inputs(rng: np.random.Generator, batch: int, tx: int, ty: int, ne: int, nd: int) -> tuple:
    return one_hot(rng.integers(0, ne, (batch, tx)), ne), one_hot(rng.integers(0, nd, (batch, ty)), nd)


def _row_sums(probs: np.ndarray) -> dict[str, float]:
    sums = probs.sum(axis=-1)
    return {"row_sum_min": float(sums.min()), "row_sum_max": float(sums.max())}


def probe_model_shapes(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Output shapes of the three models on one-hot inputs, and the softmax row sums."""
    kw = ctx.kwargs
    batch, tx, ty, ne, nd = kw["batch"], kw["tx"], kw["ty"], kw["ne"], kw["nd"]
    training_model, encoder_model, decoder_model = _build(sub, ne, nd, kw["latent_dim"])
    encoder_x, decoder_x = _random_inputs(np.random.default_rng(ctx.seed), batch, tx, ty, ne, nd)
    (probs,) = call_outputs(
        training_model, [encoder_x, decoder_x], count=1, what="the training model", function=FUNCTION
    )
    h, c = call_outputs(encoder_model, encoder_x, count=2, what="the encoder model", function=FUNCTION)
    step_probs, h2, c2 = call_outputs(
        decoder_model, [decoder_x[:, :1], h, c], count=3, what="the decoder model", function=FUNCTION
    )
    return {
        "training": {**array_summary(probs), **_row_sums(probs)},
        "encoder": [array_summary(h), array_summary(c)],
        "decoder": [
            {**array_summary(step_probs), **_row_sums(step_probs)},
            array_summary(h2),
            array_summary(c2),
        ],
        "compiled": bool(getattr(training_model, "compiled", False)),
    }


def probe_states_reach_decoder(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """How much the decoder's output moves when only the encoder input changes."""
    kw = ctx.kwargs
    batch, tx, ty, ne, nd = kw["batch"], kw["tx"], kw["ty"], kw["ne"], kw["nd"]
    training_model, encoder_model, decoder_model = _build(sub, ne, nd, kw["latent_dim"])
    rng = np.random.default_rng(ctx.seed)
    encoder_a, decoder_x = _random_inputs(rng, batch, tx, ty, ne, nd)
    # Same decoder input, an encoder input that differs at every step.
    encoder_b = np.roll(encoder_a, 1, axis=-1)
    outputs, steps = [], []
    for enc in (encoder_a, encoder_b):
        outputs += call_outputs(
            training_model, [enc, decoder_x], count=1, what="the training model", function=FUNCTION
        )
        h, c = call_outputs(encoder_model, enc, count=2, what="the encoder model", function=FUNCTION)
        step = call_outputs(
            decoder_model, [decoder_x[:, :1], h, c], count=3, what="the decoder model", function=FUNCTION
        )
        steps.append(step[0])
    return {
        "training_change": float(np.abs(outputs[0] - outputs[1]).max()),
        "inference_change": float(np.abs(steps[0] - steps[1]).max()),
    }


def probe_inference_matches_training(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Teacher-forced step-by-step inference against the training model's output on the same data."""
    kw = ctx.kwargs
    batch, tx, ty, ne, nd = kw["batch"], kw["tx"], kw["ty"], kw["ne"], kw["nd"]
    training_model, encoder_model, decoder_model = _build(sub, ne, nd, kw["latent_dim"])
    encoder_x, decoder_x = _random_inputs(np.random.default_rng(ctx.seed), batch, tx, ty, ne, nd)
    (expected,) = call_outputs(
        training_model, [encoder_x, decoder_x], count=1, what="the training model", function=FUNCTION
    )
    h, c = call_outputs(encoder_model, encoder_x, count=2, what="the encoder model", function=FUNCTION)
    steps = []
    for t in range(ty):
        probs, h, c = call_outputs(
            decoder_model,
            [decoder_x[:, t : t + 1], h, c],
            count=3,
            what="the decoder model",
            function=FUNCTION,
        )
        steps.append(probs.reshape(batch, -1))
    stepped = np.stack(steps, axis=1)
    if stepped.shape != expected.shape:
        raise CheckFailed(
            f"the decoder model from `{FUNCTION}` gave {stepped.shape[1:]} per sample over {ty} steps, the "
            f"training model {expected.shape[1:]}: expected the same shape"
        )
    return {"max_difference": float(np.abs(stepped - expected).max())}


def _scripted_models(ne: int, nd: int, chain: dict[int, int], first: dict[int, int]) -> tuple:
    """Keras encoder/decoder models with fixed weights and a known greedy output.

    The encoder's state is the mean one-hot source token. The decoder's most likely next token is
    ``chain[token]`` for the token it is fed, except after the start token (absent from ``chain``),
    where it is ``first[source token]``: so the result shows whether the argmax is fed back and
    whether the encoder's states are passed on. The states come back unchanged.
    """
    encoder_in = keras.Input((None, ne))
    state = keras.layers.GlobalAveragePooling1D()(encoder_in)
    encoder = keras.Model(encoder_in, [state, state])

    decoder_in, h_in, c_in = keras.Input((None, nd)), keras.Input((ne,)), keras.Input((ne,))
    by_token = keras.layers.Dense(nd, use_bias=False)
    by_state = keras.layers.Dense(nd, use_bias=False)
    logits = keras.layers.Lambda(lambda t: t[0] + t[1][:, None, :])([by_token(decoder_in), by_state(h_in)])
    probs = keras.layers.Softmax()(logits)
    decoder = keras.Model([decoder_in, h_in, c_in], [probs, h_in, c_in])
    token_kernel = np.zeros((nd, nd), dtype="float32")
    for token, following in chain.items():
        token_kernel[token, following] = 10.0
    state_kernel = np.zeros((ne, nd), dtype="float32")
    for source_token, following in first.items():
        state_kernel[source_token, following] = 5.0  # weaker than the chain: decides only after start
    by_token.set_weights([token_kernel])
    by_state.set_weights([state_kernel])
    return encoder, decoder


def _decoded(value: Any) -> list[int] | str:
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.ndim == 1 and (array.size == 0 or array.dtype.kind in "iu"):
            return [int(v) for v in array]
    return f"{type(value).__name__}: {value!r}"[:120]


def probe_decode_scripted(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """decode_sequence with fixed-weight models whose greedy output is known, per case."""
    kw = ctx.kwargs
    ne, nd, start, stop = kw["ne"], kw["nd"], kw["start"], kw["stop"]
    chain = {int(k): v for k, v in kw["chain"].items()}
    first = {int(k): v for k, v in kw["first"].items()}
    encoder, decoder = _scripted_models(ne, nd, chain, first)
    results = []
    for case in kw["cases"]:
        source = one_hot([[case["source_token"]] * kw["tx"]], ne)
        results.append(
            _decoded(sub.decode_sequence(source, encoder, decoder, nd, start, stop, case["max_len"]))
        )
    return {"results": results}


def toy_translation(seed: int, length: int, vocab: int, held_out: int) -> dict[str, list[list[int]]]:
    """Every string of ``length`` source digits; its translation is the reversed string in the decoder's
    vocabulary (digit d is token d + 2, after the start and stop tokens). A seeded split."""
    sources = np.array(list(itertools.product(range(vocab), repeat=length)))
    np.random.default_rng(seed).shuffle(sources)
    targets = sources[:, ::-1] + 2
    return {
        "train_sources": sources[held_out:].tolist(),
        "train_targets": targets[held_out:].tolist(),
        "test_sources": sources[:held_out].tolist(),
        "test_targets": targets[:held_out].tolist(),
    }


def probe_learns_translation(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Teacher-forced training on the toy translation (the submission's prepare_data and compile
    settings), then greedy decoding of held-out sources."""
    kw = ctx.kwargs
    ne, start, stop = kw["vocab"], 0, 1
    nd = kw["vocab"] + 2
    data = toy_translation(ctx.seed, kw["length"], kw["vocab"], kw["held_out"])
    encoder_x, decoder_x, decoder_y = _prepare(
        sub, data["train_sources"], data["train_targets"], ne, nd, start, stop
    )
    training_model, encoder_model, decoder_model = _build(sub, ne, nd, kw["latent_dim"])
    history = keras_probing.train(
        training_model,
        [encoder_x, decoder_x],
        decoder_y,
        epochs=kw["epochs"],
        batch_size=kw["batch_size"],
        function=FUNCTION,
    )
    decoded = []
    for source in data["test_sources"]:
        result = sub.decode_sequence(
            one_hot([source], ne), encoder_model, decoder_model, nd, start, stop, kw["length"] + 2
        )
        decoded.append(_decoded(result))
    exact = sum(result == target for result, target in zip(decoded, data["test_targets"], strict=True))
    return {
        "losses": history.get("loss", []),
        "held_out": len(decoded),
        "exact": exact,
        "bad_results": [r for r in decoded if isinstance(r, str)][:1],
    }
