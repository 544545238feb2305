"""The rnn_textgen checks accept the reference and a materially different correct implementation,
fail the blank template, catch the seed's undecoded generation, and catch each broken variant with a
message that says what was expected and what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import failed, messages, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "rnn_textgen"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
GENERATION_CHECKS = {
    "test_generate_length_and_vocabulary",
    "test_generate_with_short_seed_text",
    "test_temperature_zero_is_greedy",
    "test_same_seed_same_sample",
    "test_sampling_depends_on_seed",
    "test_unknown_character_raises_value_error",
    "test_learns_periodic_pattern",
}
ALL_CHECKS = GENERATION_CHECKS | {
    "test_sequences_shapes",
    "test_sequences_shapes_other_sizes",
    "test_vocab_maps_are_inverse",
    "test_targets_are_next_characters",
    "test_output_is_softmax",
    "test_output_is_softmax_other_sizes",
    "test_has_recurrent_layer",
    "test_compiled_with_sparse_crossentropy",
}


def test_every_check_passes_on_the_solution() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")
    assert set(outcomes) == ALL_CHECKS
    assert failed(outcomes) == set(), messages(outcomes)


def test_every_check_fails_on_the_template() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")
    assert failed(outcomes) == ALL_CHECKS
    for name, outcome in outcomes.items():
        assert "is not implemented yet" in outcome.message, name
        assert "`make_sequences`" in outcome.message or "`build_model`" in outcome.message, name


def test_a_different_correct_implementation_passes() -> None:
    # First-appearance vocabulary, one-hot inside a variable-length functional model, a GRU,
    # model.predict in the loop, RandomState sampling and an unpadded short seed.
    outcomes = run_checks(PRACTICAL, FIXTURES / "alt_gru_onehot.py")
    assert set(outcomes) == ALL_CHECKS
    assert failed(outcomes) == set(), messages(outcomes)


def test_seed_code_fails_the_generation_checks_only() -> None:
    # SEED-BUG: the predicted class index is appended as a raw feature and never decoded, so the
    # result is a list of indices; its sequences and model are fine.
    outcomes = run_checks(PRACTICAL, FIXTURES / "seed.py")
    assert failed(outcomes) == GENERATION_CHECKS
    message = outcomes["test_learns_periodic_pattern"].message
    assert "`generate_text` should return a str, observed list" in message
    unknown = outcomes["test_unknown_character_raises_value_error"].message
    assert "expected ValueError naming '§', observed KeyError" in unknown


def test_sampling_at_temperature_zero_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_always_samples.py", select="temperature or same_seed")
    assert failed(outcomes) == {"test_temperature_zero_is_greedy"}
    message = outcomes["test_temperature_zero_is_greedy"].message
    assert "expected" in message and "observed" in message and "seed=None" in message


def test_ignoring_the_seed_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_ignores_seed.py", select="same_seed or temperature")
    assert failed(outcomes) == {"test_same_seed_same_sample"}
    assert "second sample with the same seed: expected" in outcomes["test_same_seed_same_sample"].message


def test_key_error_for_unknown_character_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_key_error.py", select="unknown or length")
    assert failed(outcomes) == {"test_unknown_character_raises_value_error"}
    message = outcomes["test_unknown_character_raises_value_error"].message
    assert "expected ValueError naming '§', observed KeyError" in message
