"""'Did you mean ...?' hints: useful for short ids (Q2, T1, P3), silent when nothing is close."""

from __future__ import annotations

import pytest

from graders.suggest import did_you_mean

QUESTIONS = [f"Q{n}" for n in range(1, 21)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("q2", "Q2"),  # case
        ("Q 2", "Q2"),  # spacing
        ("q-2", "Q2"),
        ("Q02", "Q2"),  # a leading zero
        ("Q22", "Q2"),  # one extra character
        ("Q21", "Q2"),
        ("W2", "Q2"),  # one wrong character in a 2-character id
        ("2", "Q2"),
        ("gpt2-generation", "gpt2_generation"),
        ("attention-transfr", "attention-transfer"),
    ],
)
def test_suggests_the_close_id(typed: str, expected: str) -> None:
    choices = [*QUESTIONS, "gpt2_generation", "attention-transfer"]
    assert did_you_mean(typed, choices) == f" (did you mean {expected!r}?)"


@pytest.mark.parametrize(
    "typed",
    [
        "Q",  # as close to Q1 as to Q9: any pick would be a guess
        "Q0",  # Q10 or Q20
        "x",
        "ab",  # shares nothing
        "qq",
        "-",
        "",
    ],
)
def test_says_nothing_when_no_single_id_is_close(typed: str) -> None:
    assert did_you_mean(typed, QUESTIONS) == ""


def test_a_single_character_is_not_close_to_another() -> None:
    assert did_you_mean("x", ["y", "z"]) == ""
    assert did_you_mean("X", ["x", "y"]) == " (did you mean 'x'?)"


def test_keeps_the_choices_spelling_and_accepts_any_iterable() -> None:
    assert did_you_mean("DOCTER", {"doctor": 1, "setup": 2}) == " (did you mean 'doctor'?)"
    assert did_you_mean("p2", (f"P{n}" for n in range(1, 4))) == " (did you mean 'P2'?)"
