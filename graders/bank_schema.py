"""The question-bank schema: strict pydantic models (unknown fields are errors).

A bank is data, not code: a TOML or YAML file that ``graders.bank`` parses and validates
against these models. The grader, the TUI and the instructor tools only ever see a ``Bank``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
Text = Annotated[str, Field(min_length=1)]

# Error type of the duplicate-id checks, so that the loader (which reports duplicates itself, with
# lines) can tell them apart from other validation errors.
DUPLICATE_ID = "duplicate_id"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class RubricPoint(StrictModel):
    """A short claim a full answer makes; ``weight`` is its share of the question's score."""

    id: Identifier
    text: Text
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0


class Misconception(StrictModel):
    """A short wrong claim a student might write, with why it is wrong."""

    id: Identifier
    text: Text
    explanation: str | None = None


class ExampleAnswer(StrictModel):
    """An answer graded by the bank's author, used for calibration checks and docs."""

    answer: Text
    score: Annotated[float, Field(ge=0, le=1)]
    note: str | None = None


class Question(StrictModel):
    id: Identifier
    prompt: Text
    model_answer: Text
    points: Annotated[float, Field(gt=0)] = 1.0
    topics: list[Identifier] = Field(default_factory=list)
    rubric: Annotated[list[RubricPoint], Field(min_length=2, max_length=5)]
    misconceptions: list[Misconception] = Field(default_factory=list)
    examples: list[ExampleAnswer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_sub_ids(self) -> Question:
        for kind, items in (("rubric", self.rubric), ("misconceptions", self.misconceptions)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise PydanticCustomError(
                        DUPLICATE_ID,
                        "duplicate {kind} id '{id}' in question {question}",
                        {"kind": kind, "id": item.id, "question": self.id},
                    )
                seen.add(item.id)
        return self

    @property
    def rubric_weight(self) -> float:
        return sum(point.weight for point in self.rubric)


class Bank(StrictModel):
    id: Identifier
    title: Text
    description: str = ""
    version: str = "1"
    questions: Annotated[list[Question], Field(min_length=1)]

    @field_validator("questions")
    @classmethod
    def _unique_question_ids(cls, questions: list[Question]) -> list[Question]:
        seen: set[str] = set()
        for question in questions:
            if question.id in seen:
                raise PydanticCustomError(DUPLICATE_ID, "duplicate question id '{id}'", {"id": question.id})
            seen.add(question.id)
        return questions

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)
