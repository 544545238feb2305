"""Test doubles for the quiz app: a deterministic keyword grader and a hand-driven clock.

``KeywordGrader`` is NOT the product's grader: it marks a rubric point covered when the answer
contains the point's ``key`` word below, so UI tests get fast, predictable grades.
"""

from __future__ import annotations

import threading

from graders.bank_schema import Bank, Question
from graders.grade import Grade, MisconceptionHit, RubricHit, Verdict
from quiz.app import Grader

BANK = Bank.model_validate(
    {
        "id": "tiny-bank",
        "title": "Tiny attention bank",
        "description": "Three questions for the UI tests.",
        "questions": [
            {
                "id": "Q1",
                "prompt": "What does attention compute?",
                "model_answer": "A weighted sum of the values, with weights from query-key similarity.",
                "points": 2,
                "topics": ["attention"],
                "rubric": [
                    {"id": "weighted", "text": "It computes a weighted sum of value vectors."},
                    {"id": "similarity", "text": "The weights come from query-key similarity."},
                ],
                "misconceptions": [
                    {
                        "id": "random",
                        "text": "Attention weights are random.",
                        "explanation": "They are computed from the input, not drawn at random.",
                    }
                ],
            },
            {
                "id": "Q2",
                "prompt": "Why is BERT called bidirectional?",
                "model_answer": "Its encoder uses the left and right context of every token.",
                "topics": ["bert"],
                "rubric": [
                    {"id": "left", "text": "It uses the left context."},
                    {"id": "right", "text": "It uses the right context."},
                ],
            },
            {
                "id": "Q3",
                "prompt": "What is fine-tuning?",
                "model_answer": "Training a pre-trained model further on a labelled task.",
                "topics": ["bert", "transfer"],
                "rubric": [
                    {"id": "pretrained", "text": "Start from a pre-trained model."},
                    {"id": "task", "text": "Train further on a labelled task."},
                ],
            },
        ],
    }
)

# rubric point id -> the word that "covers" it for KeywordGrader
KEYS = {
    "weighted": "weighted",
    "similarity": "similarity",
    "left": "left",
    "right": "right",
    "pretrained": "pretrained",
    "task": "task",
}


class KeywordGrader:
    """Deterministic stand-in for ShortAnswerGrader (see module docstring)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def grade(self, question: Question, answer: str) -> Grade:
        self.calls.append((question.id, answer))
        words = answer.lower()
        hits = tuple(
            RubricHit(p.id, p.text, p.weight, KEYS[p.id] in words, 0.9 if KEYS[p.id] in words else 0.1)
            for p in question.rubric
        )
        misconception = None
        if "random" in words and question.misconceptions:
            m = question.misconceptions[0]
            misconception = MisconceptionHit(m.id, m.text, answer.strip(), 0.8)
        score = 0.0 if misconception else sum(h.weight for h in hits if h.covered) / question.rubric_weight
        verdict = Verdict.CORRECT if score == 1 else Verdict.PARTIAL if score > 0 else Verdict.INCORRECT
        return Grade(
            question_id=question.id,
            score=score,
            points=score * question.points,
            max_points=question.points,
            verdict=verdict,
            confidence=0.9,
            needs_review="unsure" in words,
            explanation=f"{sum(h.covered for h in hits)} of {len(hits)} key points.",
            rubric=hits,
            misconception=misconception,
        )


class GatedGrader:
    """Wraps a grader (KeywordGrader by default) so that ``grade`` waits until the test opens the gate:
    the test sees the 'grading' state and drives the UI while a grade is surely still pending."""

    def __init__(
        self, inner: Grader | None = None, *, gate: threading.Event | None = None, timeout_s: float = 60
    ) -> None:
        self.inner = inner or KeywordGrader()
        self.gate = gate or threading.Event()
        self.timeout_s = timeout_s

    def grade(self, question: Question, answer: str) -> Grade:
        if not self.gate.wait(timeout=self.timeout_s):
            raise TimeoutError("test gate never opened")
        return self.inner.grade(question, answer)


class FakeClock:
    """Wall-clock stand-in: time only moves when the test calls ``advance``."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
