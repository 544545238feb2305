"""The attention_seq2seq checks accept the reference and a different correct implementation, catch the
seed's attention across the batch, and fail a model without attention on the learns check."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import Outcome, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "attention_seq2seq"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_output_shape",
    "test_attention_scores_shape",
    "test_attention_scores_are_distributions",
    "test_samples_are_independent",
    "test_context_combined_with_decoder_output",
    "test_learns_alignment",
}


def _failed(outcomes: dict[str, Outcome]) -> set[str]:
    return {name for name, outcome in outcomes.items() if not outcome.passed}


def _messages(outcomes: dict[str, Outcome]) -> dict[str, str]:
    return {name: outcome.message for name, outcome in outcomes.items() if not outcome.passed}


def test_every_check_passes_on_the_solution() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")
    assert set(outcomes) == ALL_CHECKS
    assert _failed(outcomes) == set(), _messages(outcomes)


def test_every_check_fails_on_the_template() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")
    assert _failed(outcomes) == ALL_CHECKS
    assert all("is not implemented yet" in outcome.message for outcome in outcomes.values())


def test_a_different_correct_implementation_passes() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "alt_mha.py")
    assert _failed(outcomes) == set(), _messages(outcomes)


def test_seed_code_attends_across_the_batch() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "seed.py", select="not learns")
    # Its output shape and softmax weights are right; the weights run over the batch, so samples
    # influence each other, and the last layer sees only the context.
    assert _failed(outcomes) == {
        "test_attention_scores_shape",
        "test_samples_are_independent",
        "test_context_combined_with_decoder_output",
    }, _messages(outcomes)
    shape = outcomes["test_attention_scores_shape"].message
    assert "expected (3, 4, 5)" in shape and "observed (3, 4, 3)" in shape


def test_a_model_without_attention_does_not_learn_the_alignment() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "no_attention.py")
    assert _failed(outcomes) == {"test_context_combined_with_decoder_output", "test_learns_alignment"}
    message = outcomes["test_learns_alignment"].message
    assert "accuracy on unseen sequences" in message and "expected >=" in message and "observed" in message
