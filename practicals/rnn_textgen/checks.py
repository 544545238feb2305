"""Reference checks for rnn_textgen (character-level text generation with an RNN)."""

from __future__ import annotations

from typing import Any

from practicals.check import (
    check,
    expect,
    expect_at_least,
    expect_at_most,
    expect_close,
    expect_equal,
    fail,
)
from practicals.keras_probing import has_layer
from practicals.rnn_textgen import probes


def _expect_sequences(obs: dict[str, Any]) -> None:
    x, y = obs["x"], obs["y"]
    expect(
        len(x["shape"]) == 2 and x["shape"][1] == obs["seq_len"] and x["shape"][0] > 0,
        "shape of the inputs from `make_sequences`",
        expected=f"(n, {obs['seq_len']}) with n > 0",
        observed=x["shape"],
    )
    expect_equal(y["shape"], [x["shape"][0]], "shape of the targets from `make_sequences` (n,)")
    for name, summary in (("inputs", x), ("targets", y)):
        expect(
            summary["dtype"].startswith(("int", "uint")),
            f"dtype of the {name} from `make_sequences`",
            expected="an integer dtype (character indices)",
            observed=summary["dtype"],
        )


@check(points=2, probe=probes.probe_sequences, text="hello world, hello rnn", seq_len=5)
def test_sequences_shapes(obs: dict[str, Any]) -> None:
    """`make_sequences` returns integer inputs (n, seq_len) and integer next-character targets (n,)."""
    _expect_sequences(obs)


@check(points=1, probe=probes.probe_sequences, visibility="hidden", text="abracadabra" * 3, seq_len=7)
def test_sequences_shapes_other_sizes(obs: dict[str, Any]) -> None:
    """`make_sequences` honours another `seq_len`."""
    _expect_sequences(obs)


@check(points=2, probe=probes.probe_sequences, text="hello world, hello rnn", seq_len=5)
def test_vocab_maps_are_inverse(obs: dict[str, Any]) -> None:
    """`char_to_idx` and `idx_to_char` are inverse and cover exactly the text's characters."""
    expect(
        obs["maps_inverse"], "char_to_idx and idx_to_char", expected="inverse maps", observed="not inverse"
    )
    expect_equal(obs["vocabulary"], obs["text_characters"], "characters in char_to_idx")


@check(points=2, probe=probes.probe_sequences, text="hello world, hello rnn", seq_len=5)
def test_targets_are_next_characters(obs: dict[str, Any]) -> None:
    """Each input row followed by its target decodes to a window of the text."""
    _expect_sequences(obs)
    expect_equal(
        obs.get("rows_matching_text"),
        obs["x"]["shape"][0],
        "rows whose characters + target character appear in the text",
    )


def _expect_softmax(obs: dict[str, Any]) -> None:
    expect_equal(obs["output"]["shape"], [obs["batch"], obs["vocab_size"]], "model output shape")
    expect_at_least(obs["output"]["min"], 0.0, "smallest output probability")
    expect_at_most(obs["output"]["max"], 1.0, "largest output probability")
    expect_close(obs["row_sum_min"], 1.0, "smallest row sum of the softmax output", tol=1e-3)
    expect_close(obs["row_sum_max"], 1.0, "largest row sum of the softmax output", tol=1e-3)


@check(points=2, probe=probes.probe_model_output, vocab_size=11, seq_len=6, batch=4)
def test_output_is_softmax(obs: dict[str, Any]) -> None:
    """The model maps (batch, seq_len) indices to (batch, vocab_size) probabilities summing to 1."""
    _expect_softmax(obs)


@check(points=1, probe=probes.probe_model_output, visibility="hidden", vocab_size=5, seq_len=2, batch=3)
def test_output_is_softmax_other_sizes(obs: dict[str, Any]) -> None:
    """The output follows `vocab_size` and `seq_len` for other sizes too."""
    _expect_softmax(obs)


@check(points=1, probe=probes.probe_model_output, vocab_size=11, seq_len=6, batch=2)
def test_has_recurrent_layer(obs: dict[str, Any]) -> None:
    """The model contains a recurrent layer (LSTM, GRU or SimpleRNN; possibly wrapped or nested)."""
    types = obs["layer_types"]
    expect(has_layer(types, "RNN"), "recurrent layer", expected="present", observed=types)


@check(points=1, probe=probes.probe_model_output, vocab_size=11, seq_len=6, batch=2)
def test_compiled_with_sparse_crossentropy(obs: dict[str, Any]) -> None:
    """The model is compiled with sparse categorical cross-entropy (integer targets)."""
    loss = obs["loss"]
    expect_equal(loss["name"], "sparsecategoricalcrossentropy", "compiled loss (normalised name)")
    expect(
        not loss["from_logits"],
        "loss option from_logits",
        expected="False (the model outputs softmax probabilities)",
        observed=loss["from_logits"],
    )


def _expect_generated(obs: dict[str, Any], text: str) -> None:
    seed_text, length = obs["seed_text"], obs["length"]
    expect(
        text.startswith(seed_text),
        "generated text",
        expected=f"to start with seed_text {seed_text!r}",
        observed=text,
    )
    expect_equal(
        len(text), len(seed_text) + length, f"length of the generated text ({length} new characters)"
    )
    outside = sorted(set(text[len(seed_text) :]) - set(obs["vocabulary"]))
    expect(not outside, "generated characters", expected="only vocabulary characters", observed=outside)


@check(
    points=2,
    probe=probes.probe_generate,
    seq_len=4,
    seed_text="the quick",
    length=12,
    temperature=1.0,
    seeds=[3],
)
def test_generate_length_and_vocabulary(obs: dict[str, Any]) -> None:
    """`generate_text` returns seed_text plus exactly `length` vocabulary characters."""
    _expect_generated(obs, obs["texts"][0])


@check(
    points=2,
    probe=probes.probe_generate,
    seq_len=6,
    seed_text="og",
    length=7,
    temperature=0.5,
    seeds=[1],
)
def test_generate_with_short_seed_text(obs: dict[str, Any]) -> None:
    """A `seed_text` shorter than `seq_len` works with what it has."""
    _expect_generated(obs, obs["texts"][0])


@check(points=2, probe=probes.probe_greedy, seq_len=4, seed_text="the lazy", length=8)
def test_temperature_zero_is_greedy(obs: dict[str, Any]) -> None:
    """`temperature=0` picks the most likely character at every step, whatever the `seed`."""
    first = obs["texts"][0]
    _expect_generated(obs, first)
    expect_equal(obs["texts"], [first] * 3, "texts for seed=1, seed=2 and seed=None at temperature 0")
    steps = obs["greedy_steps"]
    if not all(steps):
        fail(
            "generated characters that are the model's most likely next character",
            expected=f"all {len(steps)}",
            observed=f"{sum(steps)} (first miss at new character {steps.index(False) + 1})",
        )


@check(
    points=2,
    probe=probes.probe_generate,
    seq_len=4,
    seed_text="jumps",
    length=10,
    temperature=1.0,
    seeds=[7, 7],
)
def test_same_seed_same_sample(obs: dict[str, Any]) -> None:
    """Sampling twice with the same `seed` gives the same text."""
    _expect_generated(obs, obs["texts"][0])
    expect_equal(obs["texts"][1], obs["texts"][0], "second sample with the same seed")


@check(
    points=1,
    probe=probes.probe_generate,
    visibility="hidden",
    seq_len=4,
    seed_text="over",
    length=8,
    temperature=1.0,
    seeds=[11, 12, 13],
)
def test_sampling_depends_on_seed(obs: dict[str, Any]) -> None:
    """At temperature 1 the text is sampled: three different seeds do not all give the same text."""
    expect(
        len(set(obs["texts"])) > 1,
        "samples for three different seeds at temperature 1",
        expected="at least two different texts",
        observed=obs["texts"],
    )


@check(points=2, probe=probes.probe_unknown_character, seq_len=4, seed_text="the §ox")
def test_unknown_character_raises_value_error(obs: dict[str, Any]) -> None:
    """A `seed_text` character outside the vocabulary raises ValueError naming that character."""
    observed = (
        f"{obs['raised']}: {obs['message']}"
        if obs["raised"]
        else f"no exception (returned {obs['returned']})"
    )
    expect(
        obs["is_value_error"] and "§" in obs["message"],
        "`generate_text` with seed_text 'the §ox' ('§' is not in the vocabulary)",
        expected="ValueError naming '§'",
        observed=observed,
    )


def _expect_pattern(obs: dict[str, Any]) -> None:
    pattern, generated = obs["pattern"], obs["generated"]
    expected = (pattern * 10)[obs["start"] : obs["start"] + len(obs["seed_text"]) + obs["length"]]
    expect_equal(generated, expected, f"greedy text after training on {pattern!r} repeated")


@check(
    points=5,
    probe=probes.probe_learns_pattern,
    timeout=120,
    pattern="abcad",
    repeats=20,
    seq_len=3,
    units=32,
    epochs=18,
    batch_size=8,
    length=12,
)
def test_learns_periodic_pattern(obs: dict[str, Any]) -> None:
    """After training on a periodic text, greedy generation continues the pattern exactly."""
    _expect_pattern(obs)
