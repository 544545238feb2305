"""The seq2seq_translation checks accept the reference and a different correct implementation, catch
the seed's random non-one-hot training data, and catch broken wiring with messages that name the
function, what was expected and what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import Outcome, failed, messages, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "seq2seq_translation"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_prepare_data_shapes",
    "test_prepare_data_one_hot_sources",
    "test_teacher_forcing_targets",
    "test_prepare_data_padding",
    "test_training_model_output",
    "test_inference_model_outputs",
    "test_states_reach_decoder",
    "test_inference_matches_training",
    "test_decode_sequence_greedy",
    "test_decode_sequence_max_len",
    "test_learns_translation",
}
# The seed's data are random arrays: wrong contents, right shapes and dtype.
SEED_BUG_CHECKS = {
    "test_prepare_data_one_hot_sources",
    "test_teacher_forcing_targets",
    "test_prepare_data_padding",
    "test_learns_translation",
}


@pytest.fixture(scope="module")
def solution() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")


@pytest.fixture(scope="module")
def seed() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, FIXTURES / "seed.py")


def test_every_check_passes_on_the_solution(solution: dict[str, Outcome]) -> None:
    assert set(solution) == ALL_CHECKS
    assert failed(solution) == set(), messages(solution)


def test_every_check_fails_on_the_template() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")
    assert failed(outcomes) == ALL_CHECKS
    assert all("is not implemented yet" in outcome.message for outcome in outcomes.values())


def test_a_different_correct_implementation_passes() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "alt_bidirectional.py")
    assert failed(outcomes) == set(), messages(outcomes)


def test_seed_code_fails_exactly_the_seed_bug_checks(seed: dict[str, Outcome]) -> None:
    assert failed(seed) == SEED_BUG_CHECKS, messages(seed)


def test_seed_failures_say_what_was_expected_and_observed(seed: dict[str, Outcome]) -> None:
    teacher_forcing = seed["test_teacher_forcing_targets"].message
    assert "`prepare_data`" in teacher_forcing and "<not one-hot>" in teacher_forcing
    assert "expected" in teacher_forcing and "observed" in teacher_forcing
    learns = seed["test_learns_translation"].message
    assert "training loss" in learns and "expected <=" in learns and "observed" in learns


def test_broken_wiring_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_wiring.py", select="not learns")
    assert failed(outcomes) == {
        "test_states_reach_decoder",
        "test_inference_matches_training",
        "test_decode_sequence_greedy",
    }, messages(outcomes)
    assert "encoder input changes" in outcomes["test_states_reach_decoder"].message
    greedy = outcomes["test_decode_sequence_greedy"].message
    assert (
        "`decode_sequence`" in greedy and "expected (3, 5, 4)" in greedy and "observed (3, 5, 4, 0)" in greedy
    )
