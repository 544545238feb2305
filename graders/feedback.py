"""From signals and detector flags to the final score, verdict, confidence and explanation.

Detector rules are caps, applied after the calibrated score, because the training data holds few
such answers and a learned weight would not stop them: an answer that is only a keyword list, an
echo of the question, off-topic or built on a known misconception cannot score above its cap. Before
them, a bank question's calibrated score is combined with its bank's answer model (``combined``).

Verdict thresholds (on the final score): ``correct`` >= 0.70 > ``partial`` >= 0.30 > ``incorrect``; for a
short reference answer, whose calibration puts the correct/incorrect cut at 0.5, ``correct`` from 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.grade import MisconceptionHit, OtherQuestion, RubricHit, Verdict

CORRECT_AT = 0.70
PARTIAL_AT = 0.30
CAPS: dict[str, float] = {
    "keyword_list": 0.15,
    "echo": 0.15,
    "off_topic": 0.10,
    "misconception": 0.15,
    "contradicts_key": 0.15,
    "other_question": 0.15,
    "other_complexity": 0.15,
}
# The answer is the reference answer itself (in any case and punctuation): full marks, whatever the signals
# make of a one-word answer ("paris" for "Paris").
SAME_AS_REFERENCE = "same_as_reference"
# Flags that always send a grade to a person.
REVIEW_FLAGS = frozenset({"addresses_grader", "long_padded"})
REVIEW_BELOW = 0.55  # confidence under which a grade needs review
# A score from PARTIAL_AT up to this that no rubric point backs (none covered) rests on soft similarity
# alone: on theory_dev (leave-one-question-out) such grades are a fifth of the answers but half of the
# grades off by more than 0.3; on the adversarial set a tenth of the answers, a third of those grades.
UNBACKED_BELOW = 0.80
# A short reference answer's score is P(correct) mapped so that 0.5 is the correct/incorrect cut: from
# there on its verdict is correct. Within BINARY_UNSURE of the cut, SemEval's unseen questions are graded
# wrong 46% of the time (12% of the answers), elsewhere 22%.
BINARY_CORRECT_AT = 0.5
BINARY_UNSURE = 0.05
UNSURE_CONFIDENCE = 0.5  # of a grade that needs review for one of the reasons above
# The bank's answer model (graders.answer_model): the signal holding its P(right), its share of the score,
# and how far above that probability a score may go, chosen on the seventh adversarial set (graded by a
# model fitted on the six others: misconceptions 0.57 without it, 0.21 with it) and theory_dev; then the
# eighth set, unseen: r 0.588 -> 0.873, misconceptions 0.51 -> 0.13; theory_dev (real answers, never
# learned from) leave-one-question-out: r 0.859 -> 0.897, MAE 0.147 -> 0.130.
LEARNED = "answer_model"
LEARNED_WEIGHT = 0.3
LEARNED_SLACK = 0.05
# The calibrated score and the answer model this far apart: a person should look. Graded by models fitted
# without them, the written sets' answers are this far apart in 12% of the grades that no detector caps,
# among them every right answer that argues against the wrong idea and scores under 0.6 ("unlike RNNs,
# which ...": the answer model reads the idea it rejects); at 0.5, 9% and 17 of those 21.
LEARNED_DISAGREES = 0.4
LEARNED_NOTED = 0.15  # the answer model lowered the score this much: the explanation says so
# An answer verifier logit within this of 0 is explained as undecided: on SemEval's unseen questions
# (out of fold) its sign is right 57% of the time there (42% of the answers), 78% elsewhere.
VERIFIER_UNSURE = 1.0


def verdict_for(score: float, *, binary: bool = False) -> Verdict:
    """The verdict of a final score (``binary``: of a short reference answer)."""
    if score >= (BINARY_CORRECT_AT if binary else CORRECT_AT):
        return Verdict.CORRECT
    return Verdict.PARTIAL if score >= PARTIAL_AT else Verdict.INCORRECT


@dataclass(frozen=True)
class Outcome:
    score: float
    confidence: float
    needs_review: bool


def combined(raw: float, learned: float) -> float:
    """The calibrated score ``raw`` with the answer model's P(right) ``learned``: their weighted mean, at
    most ``learned`` plus ``LEARNED_SLACK``."""
    return min((1 - LEARNED_WEIGHT) * raw + LEARNED_WEIGHT * learned, learned + LEARNED_SLACK)


def decide(
    raw: float,
    coverage: float,
    flags: tuple[str, ...],
    has_rubric: bool,
    *,
    binary: bool = False,
    learned: float | None = None,
) -> Outcome:
    """Apply the caps to the calibrated score ``raw`` and judge how sure the grade is. ``binary``: scored
    by the calibration of short references, whose 0.5 is the correct/incorrect cut. ``learned``: the
    bank's answer model's P(right), combined with ``raw`` (``combined``) when given."""
    disagree = learned is not None and abs(raw - learned) >= LEARNED_DISAGREES
    if learned is not None:
        raw = combined(raw, learned)
    if SAME_AS_REFERENCE in flags:
        raw = 1.0
    score = min([raw, *(CAPS[f] for f in flags if f in CAPS)])
    score = min(max(score, 0.0), 1.0)
    correct_at = BINARY_CORRECT_AT if binary else CORRECT_AT
    # Far from a verdict boundary is sure; near one is not.
    distance = min(abs(score - correct_at), abs(score - PARTIAL_AT))
    confidence = 0.5 + 0.5 * min(distance / 0.2, 1.0)
    if has_rubric:  # rubric coverage and the combined score should tell the same story
        confidence -= 0.4 * max(abs(coverage - score) - 0.3, 0.0)
        if unbacked(score, coverage > 0, has_rubric):
            confidence = min(confidence, UNSURE_CONFIDENCE)
    if binary and abs(score - BINARY_CORRECT_AT) < BINARY_UNSURE:
        confidence = min(confidence, UNSURE_CONFIDENCE)
    if any(f in CAPS for f in flags):
        confidence = max(confidence, 0.7) if score < PARTIAL_AT else confidence
    if "misconception" in flags and raw >= correct_at:
        confidence -= 0.2  # the answer reads right to the model but matches a misconception
    if "other_question" in flags and raw >= correct_at:
        confidence = min(confidence, UNSURE_CONFIDENCE)  # it reads right, but for another question
    if "contradicts_reference" in flags and score >= correct_at:
        confidence = min(confidence, UNSURE_CONFIDENCE)  # right overall, but a sentence reverses the key
    if disagree and not any(f in CAPS for f in flags):
        confidence = min(confidence, UNSURE_CONFIDENCE)  # the key's wording and graded answers disagree
    confidence = min(max(confidence, 0.05), 0.99)
    needs_review = confidence < REVIEW_BELOW or bool(REVIEW_FLAGS.intersection(flags))
    return Outcome(round(score, 4), round(confidence, 3), needs_review)


def unbacked(score: float, any_point_covered: bool, has_rubric: bool) -> bool:
    """A middling score of a rubric item with no rubric point covered: a person should look."""
    return has_rubric and not any_point_covered and PARTIAL_AT <= score < UNBACKED_BELOW


def explain(
    score: float,
    rubric: tuple[RubricHit, ...],
    misconception: MisconceptionHit | None,
    flags: tuple[str, ...],
    has_rubric: bool,
    verifier_logit: float | None = None,
    other_question: OtherQuestion | None = None,
    other_topic: str | None = None,
    *,
    learned: tuple[float, float] | None = None,
) -> str:
    """One or two short sentences: what was covered, what was missed and why points were withheld, and,
    for a short reference answer, what the answer verifier made of it; ``learned``: the calibrated score
    and the answer model's P(right), said when they disagree."""
    if "empty" in flags:
        return "No answer given."
    parts: list[str] = ["Same as the reference answer."] if SAME_AS_REFERENCE in flags else []
    label = "Covers" if has_rubric else "Matches the model answer on"
    covered = [hit.text.rstrip(".") for hit in rubric if hit.covered]
    missed = [hit for hit in rubric if not hit.covered]
    if covered:
        parts.append(f"{label}: {'; '.join(covered)}.")
    if other_question is not None:
        parts.append(
            f"Answers another question of the bank ({other_question.question_id}: "
            f'"{other_question.prompt}") rather than this one.'
        )
    if misconception is not None:
        parts.append(
            f'States a misconception ({misconception.text.rstrip(".")}): "{misconception.sentence}".'
        )
    for hit in missed:
        if hit.note:
            parts.append(f'"{hit.evidence}" {hit.note.replace("matched but ", "")}: {hit.text.rstrip(".")}.')
    plain_missed = [hit.text.rstrip(".") for hit in missed if not hit.note]
    if plain_missed and score < 0.95:
        # a correct grade that matches no point is an answer in other words than the rubric's: its points
        # are not matched, not necessarily missing
        reworded = score >= CORRECT_AT and not covered
        lead = "Not clearly matched (perhaps worded differently)" if reworded else "Missing"
        parts.append(f"{lead}: {'; '.join(plain_missed)}.")
    reasons = {
        "keyword_list": "Lists keywords without explaining them.",
        "echo": "Mostly repeats the question.",
        "off_topic": f"Is about {other_topic} rather than the question."
        if other_topic
        else "Does not address the question.",
        "addresses_grader": "Text addressed to the grader was ignored and flagged for review.",
        "long_padded": "Very long answer; flagged for review.",
        "other_complexity": "Gives another complexity class than the reference answer's.",
    }
    if verifier_logit is not None and SAME_AS_REFERENCE not in flags:
        verdict = (
            "cannot tell"
            if abs(verifier_logit) < VERIFIER_UNSURE
            else f"judges it {'right' if verifier_logit > 0 else 'wrong'}"
        )
        parts.append(f"Reading it together with the reference answer, the answer verifier {verdict}.")
    parts.extend(reasons[f] for f in flags if f in reasons)
    if learned is not None and not any(f in CAPS for f in flags):
        raw, p = learned
        lowered, disagrees = raw - score >= LEARNED_NOTED, abs(raw - p) >= LEARNED_DISAGREES
        review = "; it disagrees with the answer's match with the key: flagged for review"
        if lowered or disagrees:
            parts.append(
                f"The answer model, learned from graded answers to this question, gives it P(right) {p:.2f}"
                + (", which lowers its score" if lowered else "")
                + (review if disagrees else "")
                + "."
            )
    if "contradicts_reference" in flags and score >= BINARY_CORRECT_AT:
        parts.append("It reads as right overall, but contradicts the reference answer; flagged for review.")
    if unbacked(score, bool(covered), has_rubric):
        parts.append("No rubric point is clearly covered; flagged for review.")
    return " ".join(parts) if parts else "Does not match the model answer."
