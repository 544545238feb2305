"""The cnn_sentiment checks accept the reference and a materially different correct implementation,
fail the blank template, catch the seed's all-ones labels with the held-out accuracy check, and catch
each broken variant with a message that says what was expected and what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import failed, messages, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "cnn_sentiment"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_prepare_data_shapes",
    "test_labels_are_the_given_labels",
    "test_padding_to_maxlen",
    "test_vocabulary_limited_to_num_words",
    "test_output_is_probability",
    "test_output_is_probability_other_sizes",
    "test_has_conv1d_and_global_max_pooling",
    "test_compiled_with_binary_crossentropy",
    "test_predict_sentiment_probabilities",
    "test_learns_heldout_accuracy",
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
        assert "`prepare_data`" in outcome.message or "`build_model`" in outcome.message, name


def test_a_different_correct_implementation_passes() -> None:
    # Legacy Tokenizer with an OOV token and pre-padding, a functional model with a nested
    # convolution block (GlobalMaxPool1D alias), Dropout, a Loss object and model.predict.
    outcomes = run_checks(PRACTICAL, FIXTURES / "alt_functional_nested.py")
    assert set(outcomes) == ALL_CHECKS
    assert failed(outcomes) == set(), messages(outcomes)


def test_seed_all_ones_labels_fail_the_heldout_accuracy() -> None:
    # SEED-BUG: the seed trains on labels that are all 1; its model and preprocessing are fine.
    outcomes = run_checks(PRACTICAL, FIXTURES / "seed.py")
    assert failed(outcomes) == {"test_learns_heldout_accuracy", "test_labels_are_the_given_labels"}
    message = outcomes["test_learns_heldout_accuracy"].message
    assert "held-out accuracy of `predict_sentiment` on 30 reviews: expected >= 0.8, observed 0.5" in message
    labels = outcomes["test_labels_are_the_given_labels"].message
    assert "expected [1.0, 0.0, 1.0, 0.0, 0.0], observed [1.0, 1.0, 1.0, 1.0, 1.0]" in labels


def test_average_pooling_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_average_pooling.py", select="pooling or probability")
    assert failed(outcomes) == {"test_has_conv1d_and_global_max_pooling"}
    message = outcomes["test_has_conv1d_and_global_max_pooling"].message
    assert (
        "GlobalMaxPooling1D layer: expected present, observed" in message
        and "GlobalAveragePooling1D" in message
    )


def test_column_shaped_predictions_are_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_column_output.py", select="predict_sentiment")
    assert failed(outcomes) == {"test_predict_sentiment_probabilities"}
    message = outcomes["test_predict_sentiment_probabilities"].message
    assert "shape of the `predict_sentiment` result (n,): expected (3), observed (3, 1)" in message
