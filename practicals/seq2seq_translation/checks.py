"""Reference checks for seq2seq_translation (an encoder-decoder LSTM trained with teacher forcing)."""

from __future__ import annotations

from typing import Any

from practicals.check import check, expect, expect_at_least, expect_at_most, expect_close, expect_equal, fail
from practicals.seq2seq_probing import PADDING
from practicals.seq2seq_translation import probes

# Four sources of 3 digits (ne = 6) and their 4-token translations (nd = 9; start 7, stop 8).
SOURCES = [[0, 1, 2], [3, 4, 5], [5, 5, 0], [1, 0, 3]]
TARGETS = [[2, 3, 4, 5], [6, 0, 2, 3], [1, 1, 1, 1], [4, 0, 6, 2]]
DATA = {"sources": SOURCES, "targets": TARGETS, "ne": 6, "nd": 9, "start": 7, "stop": 8}
# Batch, source and target lengths all differ, so a swapped axis shows up as a wrong shape.
SHAPES = {"batch": 3, "tx": 5, "ty": 4, "ne": 6, "nd": 7, "latent_dim": 8}
# decode_sequence with fixed-weight models (start 6, stop 0): the greedy path from the start token
# begins with FIRST[source token], then follows CHAIN to the stop token; 1 -> 2 -> 1 never stops.
SCRIPT = {
    "ne": 3,
    "nd": 7,
    "tx": 4,
    "start": 6,
    "stop": 0,
    "chain": {3: 5, 5: 4, 4: 0, 2: 3, 1: 2},
    "first": {0: 3, 1: 5, 2: 1},
}


def _show(tokens: list[int | None]) -> str:
    names = {PADDING: "<zero row>", None: "<not one-hot>"}
    return "[" + ", ".join(names.get(t, str(t)) for t in tokens) + "]"


def _expect_tokens(obs: dict[str, Any], name: str, what: str, expected: list[list[int]]) -> None:
    array = obs[name]
    expect(
        "tokens" in array,
        f"{what} from `prepare_data`",
        expected="a 3-D one-hot array",
        observed=array["shape"],
    )
    for i, (row, want) in enumerate(zip(array["tokens"], expected, strict=True)):
        if row[: len(want)] != want:
            fail(
                f"{what} from `prepare_data`, sample {i + 1} (one-hot rows read as token indices)",
                expected=_show(want),
                observed=_show(row[: len(want)]),
            )


@check(points=1, probe=probes.probe_prepare_data, **DATA)
def test_prepare_data_shapes(obs: dict[str, Any]) -> None:
    """`prepare_data` returns float arrays (n, Tx, ne), (n, Ty, nd), (n, Ty, nd); Ty = target length + 1."""
    for name, shape in (
        ("encoder_input", [4, 3, 6]),
        ("decoder_input", [4, 5, 9]),
        ("decoder_target", [4, 5, 9]),
    ):
        what = f"{name.replace('_', ' ')}s from `prepare_data`"
        expect_equal(obs[name]["shape"], shape, f"shape of the {what}")
        expect(
            obs[name]["dtype"].startswith("float"),
            f"dtype of the {what}",
            expected="a float dtype",
            observed=obs[name]["dtype"],
        )


@check(points=1, probe=probes.probe_prepare_data, **DATA)
def test_prepare_data_one_hot_sources(obs: dict[str, Any]) -> None:
    """Encoder inputs are the one-hot source tokens, in order."""
    _expect_tokens(obs, "encoder_input", "encoder inputs", SOURCES)


@check(points=2, probe=probes.probe_prepare_data, **DATA)
def test_teacher_forcing_targets(obs: dict[str, Any]) -> None:
    """Decoder inputs are one-hot [start] + target and decoder targets one-hot target + [stop]."""
    start, stop = DATA["start"], DATA["stop"]
    _expect_tokens(obs, "decoder_input", "decoder inputs ([start] + target)", [[start, *t] for t in TARGETS])
    _expect_tokens(obs, "decoder_target", "decoder targets (target + [stop])", [[*t, stop] for t in TARGETS])


@check(
    points=1,
    probe=probes.probe_prepare_data,
    visibility="hidden",
    sources=[[2, 0], [1, 2, 0, 1, 2], [0]],
    targets=[[3, 4, 5], [5], [2, 2]],
    ne=3,
    nd=6,
    start=0,
    stop=1,
)
def test_prepare_data_padding(obs: dict[str, Any]) -> None:
    """Sequences of different lengths are padded with all-zero rows after their end."""
    expected = {
        "encoder_input": [[2, 0, -1, -1, -1], [1, 2, 0, 1, 2], [0, -1, -1, -1, -1]],
        "decoder_input": [[0, 3, 4, 5], [0, 5, -1, -1], [0, 2, 2, -1]],
        "decoder_target": [[3, 4, 5, 1], [5, 1, -1, -1], [2, 2, 1, -1]],
    }
    for name, rows in expected.items():
        what = name.replace("_", " ") + "s from `prepare_data`"
        expect_equal(obs[name]["shape"][:2], [len(rows), len(rows[0])], f"(n, steps) of the {what}")
        for i, (row, want) in enumerate(zip(obs[name]["tokens"], rows, strict=True)):
            for t, (got, token) in enumerate(zip(row, want, strict=True)):
                if token == PADDING and got != PADDING:
                    fail(
                        f"{what}: step {t + 1} of sample {i + 1} is after the end of the sequence",
                        expected="an all-zero row",
                        observed=_show([got]),
                    )
                if token != PADDING and got != token:
                    fail(
                        f"{what}: step {t + 1} of sample {i + 1}",
                        expected="the one-hot token of the sequence",
                        observed=_show([got]),
                    )


def _expect_probs(summary: dict[str, Any], shape: list[int], what: str) -> None:
    expect_equal(summary["shape"], shape, f"shape of {what}")
    expect_close(summary["row_sum_min"], 1.0, f"smallest sum of a probability row of {what}", tol=1e-3)
    expect_close(summary["row_sum_max"], 1.0, f"largest sum of a probability row of {what}", tol=1e-3)
    expect_at_least(summary["min"], 0.0, f"smallest probability in {what}")


@check(points=1, probe=probes.probe_model_shapes, **SHAPES)
def test_training_model_output(obs: dict[str, Any]) -> None:
    """The compiled training model maps (b, Tx, ne) and (b, Ty, nd) to softmax probabilities (b, Ty, nd)."""
    expect(
        obs["compiled"],
        "the training model from `build_seq2seq`",
        expected="a compiled model",
        observed="a model that was not compiled",
    )
    _expect_probs(obs["training"], [3, 4, 7], "the training model's output for b=3, Tx=5, Ty=4, nd=7")


@check(points=1, probe=probes.probe_model_shapes, **SHAPES)
def test_inference_model_outputs(obs: dict[str, Any]) -> None:
    """The encoder model returns [h, c]; the decoder model maps [one step, h, c] to [probs, h, c]."""
    h, c = obs["encoder"]
    expect(
        len(h["shape"]) == 2 and h["shape"][0] == 3,
        "shape of h from the encoder model (batch 3)",
        expected="(3, units)",
        observed=h["shape"],
    )
    expect_equal(c["shape"], h["shape"], "shape of c from the encoder model (same as h)")
    probs, h2, c2 = obs["decoder"]
    _expect_probs(probs, [3, 1, 7], "the decoder model's probabilities for one step of a batch of 3")
    expect_equal(h2["shape"], h["shape"], "shape of h from the decoder model (same as the encoder's)")
    expect_equal(c2["shape"], h["shape"], "shape of c from the decoder model (same as the encoder's)")


@check(points=2, probe=probes.probe_states_reach_decoder, **SHAPES)
def test_states_reach_decoder(obs: dict[str, Any]) -> None:
    """The decoder's output depends on the encoder input (the encoder states initialise the decoder)."""
    for key, model in (("training_change", "training model"), ("inference_change", "decoder model")):
        expect(
            obs[key] > 1e-6,
            f"change of the {model}'s output when only the encoder input changes",
            expected="a change (the encoder's final [h, c] must be the decoder's initial state)",
            observed=f"{obs[key]:.3g}",
        )


@check(points=1, probe=probes.probe_inference_matches_training, visibility="hidden", **SHAPES)
def test_inference_matches_training(obs: dict[str, Any]) -> None:
    """Step-by-step inference (encoder model, then the decoder model per step) matches the training model."""
    expect_at_most(
        obs["max_difference"],
        1e-4,
        "largest difference between teacher-forced step-by-step inference and the training model "
        "(the inference models must reuse the trained layers)",
    )


@check(
    points=2,
    probe=probes.probe_decode_scripted,
    **SCRIPT,
    cases=[{"source_token": 0, "max_len": 10}, {"source_token": 1, "max_len": 10}],
)
def test_decode_sequence_greedy(obs: dict[str, Any]) -> None:
    """`decode_sequence` feeds back the most likely token and returns the tokens between start and stop."""
    expected = [[3, 5, 4], [5, 4]]
    for i, (got, want) in enumerate(zip(obs["results"], expected, strict=True)):
        expect_equal(got, want, f"`decode_sequence` with fixed-weight test models, source {i + 1}")


@check(
    points=1,
    probe=probes.probe_decode_scripted,
    visibility="hidden",
    **SCRIPT,
    cases=[{"source_token": 2, "max_len": 5}, {"source_token": 2, "max_len": 2}],
)
def test_decode_sequence_max_len(obs: dict[str, Any]) -> None:
    """`decode_sequence` stops after `max_len` tokens when the stop token never comes."""
    for got, max_len in zip(obs["results"], (5, 2), strict=True):
        expect(
            isinstance(got, list) and len(got) == max_len,
            f"number of tokens from `decode_sequence` with max_len={max_len} and no stop token",
            expected=max_len,
            observed=len(got) if isinstance(got, list) else got,
        )


@check(
    points=5,
    probe=probes.probe_learns_translation,
    timeout=120,
    vocab=6,
    length=3,
    held_out=24,
    latent_dim=64,
    epochs=100,
    batch_size=32,
)
def test_learns_translation(obs: dict[str, Any]) -> None:
    """Teacher-forced training on a toy translation lowers the loss and decodes most held-out sources."""
    expect(
        not obs["bad_results"],
        "result of `decode_sequence`",
        expected="a list of token indices",
        observed=obs["bad_results"][0] if obs["bad_results"] else None,
    )
    losses = obs["losses"]
    expect(
        bool(losses) and None not in losses,
        "training loss per epoch",
        expected="finite values",
        observed=losses[:3],
    )
    expect_at_most(
        losses[-1],
        0.5 * losses[0],
        f"training loss after {len(losses)} epochs (first epoch: {losses[0]:.3g}; reversing 3-digit "
        "strings with the data from `prepare_data` and your compile settings)",
    )
    expect_at_least(
        obs["exact"] / obs["held_out"],
        0.5,
        f"share of {obs['held_out']} unseen sources that `decode_sequence` translates exactly",
    )
