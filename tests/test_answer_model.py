"""The bank's answer model (graders.answer_model) and how a grade uses it: no embedding model needed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graders.answer_model import MIN_ANSWERS, AnswerModel, digest, fit, model_path
from graders.bank import is_packaged, load_bank
from graders.errors import InputError
from graders.feedback import LEARNED_SLACK, combined, decide, explain

BANK = Path(__file__).parent / "data" / "grading" / "tiny_bank.toml"
DIM = 8


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _answer(affirmed: np.ndarray, stated: np.ndarray | None = None) -> np.ndarray:
    """An answer's two vectors, as the grader gives them: what it affirms, what it states."""
    return _unit(np.stack([affirmed, affirmed if stated is None else stated]))


def _written(seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Answers to T1 and T2 of the tiny bank: right ones affirm the question's own direction (axis 0 for
    T1, axis 1 for T2), wrong ones the opposite. Every other right answer denies the wrong idea: what it
    states, denials included, leans the wrong way."""
    rng = np.random.default_rng(seed)
    asked, vectors, right = [], [], []
    for qid, axis in (("T1", 0), ("T2", 1)):
        for k in range(40):
            is_right = k % 2 == 0
            affirmed, stated = rng.normal(size=DIM) * 0.3, rng.normal(size=DIM) * 0.3
            affirmed[axis] += 1.0 if is_right else -1.0
            stated[axis] += -1.0 if k % 4 == 0 else 1.0 if is_right else -1.0
            asked.append(qid)
            vectors.append(_answer(affirmed, stated))
            right.append(is_right)
    references = {"T1": np.eye(DIM)[0], "T2": np.eye(DIM)[1]}
    return asked, np.array(vectors), np.array(right), references


@pytest.fixture(scope="module")
def model() -> AnswerModel:
    asked, vectors, right, references = _written()
    return fit(load_bank(BANK).questions, asked, vectors, right, references, fingerprint="fp", source="test")


def test_it_learns_each_questions_right_answers(model: AnswerModel) -> None:
    t1, t2 = load_bank(BANK).questions
    right_t1, wrong_t1 = _answer(np.eye(DIM)[0] + 0.1), _answer(-np.eye(DIM)[0] + 0.1)
    p = model.probability(t1, right_t1, np.eye(DIM)[0])
    assert type(p) is float and p > 0.8  # a plain float: grades are stored as JSON
    assert model.probability(t1, wrong_t1, np.eye(DIM)[0]) < 0.2
    assert model.answers_learned(t1) == 40 and model.answers_learned(t2) == 40


def test_it_reads_what_an_answer_affirms_apart_from_what_it_denies(model: AnswerModel) -> None:
    t1 = load_bank(BANK).question("T1")
    # it states the wrong idea (to deny it) and affirms the right one: like the right answers that did
    denies_wrong = _answer(np.eye(DIM)[0] + 0.1, -np.eye(DIM)[0] + 0.1)
    assert model.probability(t1, denies_wrong, np.eye(DIM)[0]) > 0.7
    # it denies the right idea and affirms the wrong one: like the wrong answers
    denies_right = _answer(-np.eye(DIM)[0] + 0.1, np.eye(DIM)[0] + 0.1)
    assert model.probability(t1, denies_right, np.eye(DIM)[0]) < 0.3


def test_a_question_edited_since_or_unknown_is_not_scored(model: AnswerModel) -> None:
    t1 = load_bank(BANK).question("T1")
    edited = t1.model_copy(update={"model_answer": t1.model_answer + " Also, attention."})
    other = t1.model_copy(update={"id": "T9"})
    assert digest(edited) != digest(t1)
    assert model.probability(edited, _answer(np.eye(DIM)[0]), np.eye(DIM)[0]) is None
    assert model.probability(other, _answer(np.eye(DIM)[0]), np.eye(DIM)[0]) is None
    assert model.answers_learned(edited) == 0


def test_a_question_without_enough_answers_of_both_kinds_is_not_learned() -> None:
    asked, vectors, right, references = _written()
    t2_only_right = [i for i, q in enumerate(asked) if q == "T1" or right[i]]
    m = fit(
        load_bank(BANK).questions,
        [asked[i] for i in t2_only_right],
        vectors[t2_only_right],
        right[t2_only_right],
        references,
        fingerprint="fp",
    )
    assert set(m.questions) == {"T1"}
    with pytest.raises(InputError, match=f"no question has {MIN_ANSWERS} graded answers"):
        fit(load_bank(BANK).questions, asked[:5], vectors[:5], right[:5], references, fingerprint="fp")


def test_it_round_trips_through_json_next_to_its_bank(model: AnswerModel, tmp_path: Path) -> None:
    bank = tmp_path / "course.toml"
    bank.write_text(BANK.read_text(encoding="utf-8"), encoding="utf-8")
    path = model_path(bank)
    assert path == tmp_path / "course.answers.json"
    model.save(path)
    again = AnswerModel.for_bank(bank, "fp")
    t1 = load_bank(BANK).question("T1")
    v = _answer(np.arange(DIM, dtype=float), np.arange(DIM, dtype=float)[::-1])
    assert again is not None and again.probability(t1, v, np.eye(DIM)[0]) == pytest.approx(
        model.probability(t1, v, np.eye(DIM)[0]), abs=1e-4
    )
    assert AnswerModel.for_bank(bank, "another embedding model") is None
    path.write_text(json.dumps({"format": 1, "questions": "?"}), encoding="utf-8")
    with pytest.raises(InputError, match="not a valid answer model"):
        AnswerModel.for_bank(bank, "fp")


def test_the_score_is_at_most_the_models_probability_plus_its_slack() -> None:
    assert combined(0.95, 0.9) == pytest.approx(0.7 * 0.95 + 0.3 * 0.9)
    assert combined(0.95, 0.1) == pytest.approx(0.1 + LEARNED_SLACK)
    assert combined(0.2, 0.9) == pytest.approx(0.7 * 0.2 + 0.3 * 0.9)
    # it matches the key, graded answers like it were wrong: low, and a person should look
    outcome = decide(0.95, 1.0, (), True, learned=0.1)
    assert outcome.score == pytest.approx(0.15) and outcome.needs_review
    assert not decide(0.95, 1.0, (), True, learned=0.9).needs_review
    text = explain(0.15, (), None, (), True, learned=(0.95, 0.1))
    assert "gives it P(right) 0.10, which lowers its score; it disagrees" in text and "review" in text
    assert "answer model" not in explain(0.93, (), None, (), True, learned=(0.95, 0.9))
    # a capped answer needs no second opinion
    assert not decide(0.95, 1.0, ("misconception",), True, learned=0.1).needs_review
    assert "answer model" not in explain(0.15, (), None, ("misconception",), True, learned=(0.95, 0.1))


def test_only_a_bank_given_by_path_outside_the_package_stores_what_it_learns(tmp_path: Path) -> None:
    bank = tmp_path / "course.toml"
    bank.write_text(BANK.read_text(encoding="utf-8"), encoding="utf-8")
    assert is_packaged(None) and is_packaged("attention-transfer")
    assert not is_packaged(bank)
