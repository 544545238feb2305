"""The lstm_classifier checks accept the reference and materially different correct implementations,
fail the blank template, pass the seed's (correct) code, and catch each broken variant with a message
that says what was expected and what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import Outcome, failed, messages, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "lstm_classifier"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_prepare_data_shapes",
    "test_prepare_data_shapes_other_sizes",
    "test_padding_to_maxlen",
    "test_labels_one_hot",
    "test_labels_one_hot_missing_class",
    "test_vocabulary_limited_to_num_words",
    "test_unseen_words",
    "test_output_is_softmax",
    "test_output_is_softmax_other_sizes",
    "test_has_embedding_and_lstm",
    "test_compiled_with_categorical_crossentropy",
    "test_learns_separable_classes",
}


@pytest.fixture(scope="module")
def solution() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")


@pytest.fixture(scope="module")
def template() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")


def test_every_check_passes_on_the_solution(solution: dict[str, Outcome]) -> None:
    assert set(solution) == ALL_CHECKS
    assert failed(solution) == set(), messages(solution)


def test_every_check_fails_on_the_template(template: dict[str, Outcome]) -> None:
    assert failed(template) == ALL_CHECKS
    for name, outcome in template.items():
        assert "is not implemented yet" in outcome.message, name
        assert "`prepare_data`" in outcome.message or "`build_model`" in outcome.message, name


@pytest.mark.parametrize("fixture", ["alt_functional_bilstm.py", "alt_subclassed.py"])
def test_different_correct_implementations_pass(fixture: str) -> None:
    # TextVectorization + post-padding + functional Bidirectional LSTM; legacy Tokenizer with an OOV
    # token + a lazily built subclassed model with the LSTM nested in a Sequential.
    outcomes = run_checks(PRACTICAL, FIXTURES / fixture)
    assert set(outcomes) == ALL_CHECKS
    assert failed(outcomes) == set(), messages(outcomes)


def test_seed_code_passes_every_check() -> None:
    # The seed's practical 1 is correct once it takes its sizes from the arguments (no SEED-BUG).
    outcomes = run_checks(PRACTICAL, FIXTURES / "seed.py")
    assert failed(outcomes) == set(), messages(outcomes)


def test_gru_instead_of_lstm_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_gru.py", select="lstm or learns")
    assert failed(outcomes) == {"test_has_embedding_and_lstm"}
    message = outcomes["test_has_embedding_and_lstm"].message
    assert "LSTM layer: expected present, observed" in message and "GRU" in message


def test_integer_labels_are_caught() -> None:
    outcomes = run_checks(
        PRACTICAL, FIXTURES / "broken_sparse_labels.py", select="shapes or one_hot or crossentropy"
    )
    assert failed(outcomes) == set(outcomes)
    message = outcomes["test_labels_one_hot"].message
    assert "shape of the labels from `prepare_data`: expected (5, 3), observed (5)" in message
    loss = outcomes["test_compiled_with_categorical_crossentropy"].message
    assert "expected categoricalcrossentropy, observed sparsecategoricalcrossentropy" in loss


def test_counting_classes_with_len_set_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_len_set.py", select="one_hot")
    assert failed(outcomes) == {"test_labels_one_hot_missing_class"}
    assert "`prepare_data` raised" in outcomes["test_labels_one_hot_missing_class"].message


def test_model_that_ignores_its_input_does_not_learn() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_ignores_input.py", select="learns or softmax")
    assert failed(outcomes) == {"test_learns_separable_classes"}
    message = outcomes["test_learns_separable_classes"].message
    assert "expected" in message and "observed" in message
