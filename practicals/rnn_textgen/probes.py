"""Probes for rnn_textgen: call the submission on tiny texts and report what it returns."""

from __future__ import annotations

from typing import Any

import numpy as np

from practicals import keras_probing
from practicals.check import CheckFailed, ProbeContext
from practicals.probing import array_summary, as_array, unpack

# Text whose vocabulary the generation probes use (the maps come from the submission's make_sequences).
VOCAB_TEXT = "the quick brown fox jumps over the lazy dog"


def _sequences(sub: Any, text: str, seq_len: int) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    x, y, char_to_idx, idx_to_char = unpack(sub.make_sequences(text, seq_len), 4, "`make_sequences` result")
    for name, mapping in (("char_to_idx", char_to_idx), ("idx_to_char", idx_to_char)):
        if not isinstance(mapping, dict):
            raise CheckFailed(f"`make_sequences` {name}: expected a dict, observed {type(mapping).__name__}")
    x = as_array(x, "`make_sequences` inputs (first item)")
    y = as_array(y, "`make_sequences` targets (second item)")
    return x, y, char_to_idx, idx_to_char


def probe_sequences(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """make_sequences on a text: shapes, dtypes, whether the maps are inverse and rows decode to the text."""
    text, seq_len = ctx.kwargs["text"], ctx.kwargs["seq_len"]
    x, y, char_to_idx, idx_to_char = _sequences(sub, text, seq_len)
    inverse = all(idx_to_char.get(index) == char for char, index in char_to_idx.items()) and all(
        char_to_idx.get(char) == index for index, char in idx_to_char.items()
    )
    observation: dict[str, Any] = {
        "seq_len": seq_len,
        "x": array_summary(x),
        "y": array_summary(y),
        "vocabulary": sorted(map(str, char_to_idx)),
        "text_characters": sorted(set(text)),
        "maps_inverse": inverse,
    }
    if x.ndim == 2 and y.ndim == 1 and len(x) == len(y) and inverse:
        # Each row followed by its target must be a window of the text.
        decoded = [
            "".join(idx_to_char.get(int(i), "\0") for i in row) + idx_to_char.get(int(t), "\0")
            for row, t in zip(x, y, strict=True)
        ]
        observation["rows_matching_text"] = sum(window in text for window in decoded)
    return observation


def probe_model_output(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """build_model's output on random character indices, its layer types and its compiled loss."""
    vocab_size, seq_len, batch = ctx.kwargs["vocab_size"], ctx.kwargs["seq_len"], ctx.kwargs["batch"]
    model = sub.build_model(vocab_size, seq_len, units=16)
    x = np.random.default_rng(ctx.seed).integers(0, vocab_size, size=(batch, seq_len)).astype("int32")
    output = keras_probing.run_model(model, x)
    observation: dict[str, Any] = {
        "batch": batch,
        "vocab_size": vocab_size,
        "output": array_summary(output),
        "layer_types": keras_probing.layer_types(model),
        "loss": keras_probing.compiled_loss(model),
    }
    if output.ndim == 2 and output.dtype.kind == "f":
        row_sums = output.sum(axis=1)
        observation["row_sum_min"], observation["row_sum_max"] = float(row_sums.min()), float(row_sums.max())
    return observation


def _generate(sub: Any, model: Any, seed_text: str, length: int, maps: tuple, **kwargs: Any) -> str:
    text = sub.generate_text(model, seed_text, length, maps[0], maps[1], **kwargs)
    if not isinstance(text, str):
        raise CheckFailed(f"`generate_text` should return a str, observed {type(text).__name__}")
    return text


def _untrained(sub: Any, seq_len: int) -> tuple[Any, tuple[dict, dict]]:
    _, _, char_to_idx, idx_to_char = _sequences(sub, VOCAB_TEXT, seq_len)
    return sub.build_model(len(char_to_idx), seq_len, units=16), (char_to_idx, idx_to_char)


def probe_generate(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """generate_text with an untrained model: one text per requested sampling seed."""
    seq_len, seed_text, length = ctx.kwargs["seq_len"], ctx.kwargs["seed_text"], ctx.kwargs["length"]
    temperature = ctx.kwargs["temperature"]
    model, maps = _untrained(sub, seq_len)
    texts = [
        _generate(sub, model, seed_text, length, maps, temperature=temperature, seed=seed)
        for seed in ctx.kwargs["seeds"]
    ]
    return {
        "seed_text": seed_text,
        "length": length,
        "texts": texts,
        "vocabulary": sorted(map(str, maps[0])),
    }


def probe_greedy(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """generate_text at temperature 0, and for each generated character whether it is the model's
    most likely next character given the text before it (within float tolerance)."""
    seq_len, seed_text, length = ctx.kwargs["seq_len"], ctx.kwargs["seed_text"], ctx.kwargs["length"]
    model, maps = _untrained(sub, seq_len)
    texts = [
        _generate(sub, model, seed_text, length, maps, temperature=0, seed=seed) for seed in (1, 2, None)
    ]
    char_to_idx = maps[0]
    text = texts[0]
    greedy_steps = []
    for position in range(len(seed_text), len(text)):
        if text[position] not in char_to_idx:
            greedy_steps.append(False)
            continue
        window = [[char_to_idx[char] for char in text[position - seq_len : position]]]
        probabilities = keras_probing.run_model(model, np.asarray(window, dtype="int32"))[0]
        greedy_steps.append(bool(probabilities[char_to_idx[text[position]]] >= probabilities.max() - 1e-5))
    return {
        "seed_text": seed_text,
        "length": length,
        "texts": texts,
        "vocabulary": sorted(map(str, char_to_idx)),
        "greedy_steps": greedy_steps,
    }


def probe_unknown_character(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """generate_text with a character outside the vocabulary in seed_text: what does it raise?"""
    model, maps = _untrained(sub, ctx.kwargs["seq_len"])
    function = getattr(sub.module, "generate_text", None)
    if not callable(function):
        raise CheckFailed("the submission does not define `generate_text`")
    try:
        # Called directly (not through the submission proxy) to observe the exception itself.
        result = function(model, ctx.kwargs["seed_text"], 3, maps[0], maps[1], temperature=0)
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        return {
            "raised": type(exc).__name__,
            "is_value_error": isinstance(exc, ValueError),
            "message": str(exc),
        }
    return {"raised": None, "is_value_error": False, "returned": type(result).__name__}


def probe_learns_pattern(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Train on a periodic text with the submission's own compile settings; generate greedily after it."""
    pattern, seq_len = ctx.kwargs["pattern"], ctx.kwargs["seq_len"]
    text = pattern * ctx.kwargs["repeats"]
    x, y, char_to_idx, idx_to_char = _sequences(sub, text, seq_len)
    model = sub.build_model(len(char_to_idx), seq_len, units=ctx.kwargs["units"])
    history = keras_probing.train(
        model, x, y, epochs=ctx.kwargs["epochs"], batch_size=ctx.kwargs["batch_size"]
    )
    # Start at a seed-dependent phase of the pattern so every phase gets exercised across seeds.
    start = ctx.seed % len(pattern)
    seed_text = (pattern * 3)[start : start + seq_len + 1]
    generated = _generate(
        sub, model, seed_text, ctx.kwargs["length"], (char_to_idx, idx_to_char), temperature=0, seed=ctx.seed
    )
    return {
        "pattern": pattern,
        "start": start,
        "seed_text": seed_text,
        "length": ctx.kwargs["length"],
        "generated": generated,
        "loss": history.get("loss", []),
    }
