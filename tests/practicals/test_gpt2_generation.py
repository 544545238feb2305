"""The gpt2_generation checks accept the reference and a different correct implementation, and catch the
seed's code and broken variants with messages naming the function, what was expected and what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import Outcome, failed, messages, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "gpt2_generation"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_load_model_sets_pad_token",
    "test_result_starts_with_prompt",
    "test_total_tokens_at_most_max_length",
    "test_greedy_matches_reference",
    "test_max_new_tokens_takes_precedence",
    "test_sampling_reproducible_with_torch_seed",
    "test_attention_mask_and_pad_token_passed",
    "test_special_tokens_stripped",
    "test_greedy_on_other_prompts",
}


@pytest.fixture(scope="module")
def seed() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, FIXTURES / "seed.py")


def test_every_check_passes_on_the_solution() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")
    assert set(outcomes) == ALL_CHECKS
    assert failed(outcomes) == set(), messages(outcomes)


def test_every_check_fails_on_the_template() -> None:
    outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")
    assert failed(outcomes) == ALL_CHECKS
    assert all("is not implemented yet" in outcome.message for outcome in outcomes.values())


def test_a_different_correct_implementation_passes() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "alt_generation_config.py")
    assert failed(outcomes) == set(), messages(outcomes)


def test_seed_code_fails_where_it_drops_pad_mask_and_options(seed: dict[str, Outcome]) -> None:
    assert failed(seed) == {
        "test_load_model_sets_pad_token",
        "test_max_new_tokens_takes_precedence",
        "test_sampling_reproducible_with_torch_seed",
        "test_attention_mask_and_pad_token_passed",
        "test_greedy_on_other_prompts",
    }
    assert "expected '<|endoftext|>', observed None" in seed["test_load_model_sets_pad_token"].message
    assert "observed no attention_mask" in seed["test_attention_mask_and_pad_token_passed"].message
    assert "observed do_sample=None" in seed["test_sampling_reproducible_with_torch_seed"].message


def test_lengths_mask_and_special_tokens_are_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_decode.py")
    assert {
        "test_total_tokens_at_most_max_length",
        "test_attention_mask_and_pad_token_passed",
        "test_special_tokens_stripped",
    } <= failed(outcomes)
    assert "expected <= 8, observed 11" in outcomes["test_total_tokens_at_most_max_length"].message
    hidden = outcomes["test_special_tokens_stripped"].message
    assert "<hidden prompt>" in hidden and "observed 1 <|endoftext|>" in hidden
    assert "Self-attention" not in hidden


def test_a_fixed_seed_and_a_missing_prompt_are_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_sampling.py", select="starts_with_prompt or sampling")
    assert failed(outcomes) == {
        "test_result_starts_with_prompt",
        "test_sampling_reproducible_with_torch_seed",
    }
    assert "observed 1 distinct text(s)" in outcomes["test_sampling_reproducible_with_torch_seed"].message
    assert "`generate_text('The attention mechanism'" in outcomes["test_result_starts_with_prompt"].message
