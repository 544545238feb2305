"""The spacy_ner checks accept the reference and a different correct implementation, and catch each
broken variant with a message naming the function, what was expected and what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from tests.practicals.checkrun import Outcome, failed, run_checks

pytestmark = [pytest.mark.models, pytest.mark.slow]

PRACTICAL = "spacy_ner"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_seed_sentence_entities",
    "test_offsets_slice_text",
    "test_empty_text",
    "test_uses_given_pipeline",
    "test_batch_equals_per_text",
    "test_batch_uses_nlp_pipe",
    "test_duplicates_kept_in_order",
    "test_loads_model_once",
    "test_many_texts_fast",
}


@pytest.fixture(scope="module")
def solution() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")


@pytest.fixture(scope="module")
def template() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")


@pytest.fixture(scope="module")
def seed() -> dict[str, Outcome]:
    return run_checks(PRACTICAL, FIXTURES / "seed.py")


def test_every_check_passes_on_the_solution(solution: dict[str, Outcome]) -> None:
    assert set(solution) == ALL_CHECKS
    assert failed(solution) == set(), {n: o.message for n, o in solution.items() if not o.passed}


def test_every_check_fails_on_the_template(template: dict[str, Outcome]) -> None:
    assert failed(template) == ALL_CHECKS
    assert all("is not implemented yet" in outcome.message for outcome in template.values())


def test_a_different_correct_implementation_passes() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "alt_iob.py")
    assert failed(outcomes) == set(), {n: o.message for n, o in outcomes.items() if not o.passed}


def test_seed_code_fails_only_where_it_ignores_nlp_and_batching(seed: dict[str, Outcome]) -> None:
    # The seed loads one pipeline at import time and runs nlp(text) per text: right entities, but the
    # given pipeline is ignored and nlp.pipe is never used.
    assert failed(seed) == {"test_uses_given_pipeline", "test_batch_uses_nlp_pipe"}
    message = seed["test_uses_given_pipeline"].message
    assert "`extract_entities(" in message and "expected" in message and "observed" in message
    assert "0 nlp.pipe call(s)" in seed["test_batch_uses_nlp_pipe"].message


def test_offsets_and_dropped_duplicates_are_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_dedupe.py", select="not many_texts")
    caught = failed(outcomes)
    assert {
        "test_offsets_slice_text",
        "test_batch_equals_per_text",
        "test_duplicates_kept_in_order",
    } <= caught
    assert "test_seed_sentence_entities" not in caught
    assert "text[0:1] == 'A'" in outcomes["test_offsets_slice_text"].message
    hidden = outcomes["test_duplicates_kept_in_order"].message
    assert "expected 8 entity texts" in hidden and "observed 5" in hidden
    assert "Toyota" not in hidden  # hidden inputs stay hidden


def test_reloading_the_pipeline_per_call_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_reload.py", select="loads_model_once")
    assert "over 15 calls without `nlp`" in outcomes["test_loads_model_once"].message
    assert failed(outcomes) == {"test_loads_model_once"}


def test_a_slow_batch_is_caught() -> None:
    outcomes = run_checks(PRACTICAL, FIXTURES / "broken_slow.py", select="many_texts")
    assert failed(outcomes) == {"test_many_texts_fast"}
    assert "seconds taken by `entities_by_label` on 300 texts" in outcomes["test_many_texts_fast"].message
