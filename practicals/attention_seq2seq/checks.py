"""Reference checks for attention_seq2seq (a seq2seq model with an attention layer)."""

from __future__ import annotations

from typing import Any

from practicals.attention_seq2seq import probes
from practicals.check import check, expect, expect_at_least, expect_at_most, expect_close, expect_equal

# Batch, source and target lengths all differ, so attending over the wrong axis shows up as a wrong shape.
SHAPES = {"batch": 3, "tx": 5, "ty": 4, "ne": 6, "nd": 7, "latent_dim": 8}
SIZES = "b=3, Tx=5, Ty=4"


def _expect_rows_sum_to_one(summary: dict[str, Any], what: str) -> None:
    expect_close(summary.get("row_sum_min"), 1.0, f"smallest row sum of {what}", tol=1e-3)
    expect_close(summary.get("row_sum_max"), 1.0, f"largest row sum of {what}", tol=1e-3)
    expect_at_least(summary.get("min"), 0.0, f"smallest value in {what}")


@check(points=1, probe=probes.probe_shapes, **SHAPES)
def test_output_shape(obs: dict[str, Any]) -> None:
    """The compiled model maps one-hot (b, Tx, ne) and (b, Ty, nd) to softmax probabilities (b, Ty, nd)."""
    expect(
        obs["compiled"],
        "the model from `build_attention_seq2seq`",
        expected="a compiled model",
        observed="a model that was not compiled",
    )
    expect_equal(obs["output"]["shape"], [3, 4, 7], f"shape of the model's output for {SIZES}, nd=7")
    _expect_rows_sum_to_one(obs["output"], "the model's output")


@check(points=2, probe=probes.probe_shapes, **SHAPES)
def test_attention_scores_shape(obs: dict[str, Any]) -> None:
    """`attention_scores` returns one weight per decoder step and encoder step: (b, Ty, Tx)."""
    expect_equal(
        obs["scores"]["shape"],
        [3, 4, 5],
        f"shape of `attention_scores` for {SIZES} (an encoder LSTM without return_sequences=True "
        "makes the attention run over the batch)",
    )


@check(points=1, probe=probes.probe_shapes, **SHAPES)
def test_attention_scores_are_distributions(obs: dict[str, Any]) -> None:
    """Attention weights are non-negative and each decoder step's weights sum to 1."""
    _expect_rows_sum_to_one(obs["scores"], "the weights from `attention_scores`")


@check(points=2, probe=probes.probe_batch_independence, visibility="hidden", **SHAPES)
def test_samples_are_independent(obs: dict[str, Any]) -> None:
    """A sample's output does not depend on the other samples of its batch."""
    expect_at_most(
        obs["max_difference"],
        1e-4,
        "largest change of a sample's output between predicting it alone and in a batch of 3",
    )


@check(points=1, probe=probes.probe_context_combined, visibility="hidden", **SHAPES)
def test_context_combined_with_decoder_output(obs: dict[str, Any]) -> None:
    """The decoder output is combined with the attention context (not replaced by it)."""
    expect(
        obs["attention_layers"] > 0,
        "attention layers in the model from `build_attention_seq2seq`",
        expected="an attention layer (e.g. keras.layers.Attention)",
        observed=f"layers {obs['layer_types']}",
    )
    expect(
        obs["change_without_context"] > 1e-6,
        "change of the output with the decoder input while the attention context is zero",
        expected="a change (concatenate or add the decoder output and the context)",
        observed=f"{obs['change_without_context']:.3g}",
    )


# Reversal of 24 tokens over 10 symbols: the final state of a small encoder cannot hold the whole
# source (without attention ~0.5-0.6 after this budget), while attention learns the position lookup
# (reference ~1.0, plain Luong or multi-head attention with Adam >= ~0.85).
@check(
    points=5,
    probe=probes.probe_learns_alignment,
    timeout=240,
    vocab=10,
    length=24,
    train=1000,
    test=200,
    latent_dim=128,
    epochs=10,
    batch_size=16,
)
def test_learns_alignment(obs: dict[str, Any]) -> None:
    """Trained on sequence reversal, it reaches a held-out token accuracy that needs attention."""
    losses = obs["losses"]
    expect(
        bool(losses) and None not in losses,
        "training loss per epoch",
        expected="finite values",
        observed=losses[:3],
    )
    expect_at_least(
        obs["accuracy"], 0.75, "teacher-forced token accuracy on unseen sequences after training on reversal"
    )
