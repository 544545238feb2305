"""Result types of short-answer grading: frozen, JSON-friendly, shared by CLI, TUI and batch."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"


@dataclass(frozen=True)
class RubricHit:
    """How one rubric point fared: covered or not, the best-matching student sentence, why."""

    point_id: str
    text: str
    weight: float
    covered: bool
    similarity: float
    evidence: str | None = None
    note: str | None = None  # e.g. "matched but negated"


@dataclass(frozen=True)
class MisconceptionHit:
    misconception_id: str
    text: str
    sentence: str
    similarity: float


@dataclass(frozen=True)
class OtherQuestion:
    """Another question of the bank that an answer answers instead of the one asked."""

    question_id: str
    prompt: str
    coverage: float  # share of that question's rubric weight the answer covers


@dataclass(frozen=True)
class Grade:
    question_id: str
    score: float  # fraction in [0, 1]
    points: float
    max_points: float
    verdict: Verdict
    confidence: float  # in [0, 1]
    needs_review: bool
    explanation: str
    rubric: tuple[RubricHit, ...] = ()
    misconception: MisconceptionHit | None = None
    flags: tuple[str, ...] = ()  # e.g. "empty", "keyword_list", "off_topic", "addresses_grader"
    signals: dict[str, float] = field(default_factory=dict)
    other_question: OtherQuestion | None = None

    @property
    def covered(self) -> tuple[RubricHit, ...]:
        return tuple(hit for hit in self.rubric if hit.covered)

    @property
    def missed(self) -> tuple[RubricHit, ...]:
        return tuple(hit for hit in self.rubric if not hit.covered)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grade:
        misconception = data.get("misconception")
        other = data.get("other_question")
        return cls(
            question_id=data["question_id"],
            score=float(data["score"]),
            points=float(data["points"]),
            max_points=float(data["max_points"]),
            verdict=Verdict(data["verdict"]),
            confidence=float(data["confidence"]),
            needs_review=bool(data["needs_review"]),
            explanation=data["explanation"],
            rubric=tuple(RubricHit(**hit) for hit in data.get("rubric", ())),
            misconception=MisconceptionHit(**misconception) if misconception else None,
            flags=tuple(data.get("flags", ())),
            signals=dict(data.get("signals", {})),
            other_question=OtherQuestion(**other) if other else None,
        )
