"""The answer verifier (a LoRA-adapted cross-encoder of the embedding model) and how grading uses it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open

from graders import verifier
from graders.bank import load_bank
from graders.calibration import fit, fit_blend, reference_calibration
from graders.embedding import load_model
from graders.grade import Grade, Verdict
from graders.short_answer import AdHocItem, ShortAnswerGrader, graded_like_rubric
from graders.signals import FEATURES
from graders.textproc import load_nlp
from graders.training import OOF_ANSWERS_FILE, Graded, antonym_swaps, with_oof, write_oof
from graders.verifier import SIGNAL, Verifier

pytestmark = pytest.mark.models

BANK = Path(__file__).parent / "data" / "grading" / "tiny_bank.toml"
FACTS = [
    "The water evaporated and left the salt behind.",
    "The magnet attracts the iron nail but not the aluminium one.",
    "The bulb lights because it is in a closed path with the battery.",
    "Plants use sunlight to make sugar from carbon dioxide and water.",
    "The louder sound came from the string that vibrated more.",
    "Ice melts faster in the sun because it absorbs more heat.",
    "The heavier truck travelled a shorter distance in ten seconds.",
    "Sound travels faster through the wall than through the air.",
]


@pytest.fixture(scope="module")
def model():
    return load_model()


def _copies_and_mismatches(facts: list[str]) -> tuple[list[tuple[str]], list[str], np.ndarray]:
    """Answers that restate their reference (right) or state another fact (wrong)."""
    references, answers, labels = [], [], []
    for i, fact in enumerate(facts):
        references += [(fact,), (fact,)]
        answers += [fact.lower(), facts[(i + 1) % len(facts)]]
        labels += [1.0, 0.0]
    return references, answers, np.array(labels)


def test_training_learns_and_the_saved_adapter_scores_like_it(model, tmp_path: Path) -> None:
    references, answers, labels = _copies_and_mismatches(FACTS[:6])
    state, meta = verifier.train(model, references, answers, labels, epochs=4, batch_size=4, lr=2e-3)
    path = tmp_path / "adapter.safetensors"
    verifier.save(state, meta, path)
    trained = Verifier.from_model(model, path)
    assert trained is not None
    # unseen facts: the rule was learned, not the rows
    test_refs, test_answers, test_labels = _copies_and_mismatches(FACTS[6:] + FACTS[:1])
    logits = trained.logits([(ref, answer) for (ref,), answer in zip(test_refs, test_answers, strict=True)])
    assert logits.shape == (len(test_answers),)
    assert logits[test_labels == 1].min() > logits[test_labels == 0].max()


def test_an_adapter_trained_on_other_weights_is_not_used(model, tmp_path: Path) -> None:
    path = tmp_path / "other.safetensors"
    shipped = Path(verifier.__file__).parent / "data" / verifier.ADAPTER_FILE
    with safe_open(str(shipped), framework="pt") as fh:
        meta, state = fh.metadata(), {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
    verifier.save(state, meta | {"fingerprint": "(30522, 384):1.000"}, path)
    assert Verifier.from_model(model, path) is None
    assert Verifier.from_model(model, tmp_path / "missing.safetensors") is None


def test_the_shipped_verifier_tells_a_right_answer_from_a_wrong_one(model) -> None:
    shipped = Verifier.from_model(model)
    assert shipped is not None
    reference = "The nail sticks to the magnet because it is made of iron."
    right, wrong = shipped.logits(
        [
            (reference, "it's iron, and magnets pull iron, so the nail stuck to it"),
            (reference, "the nail sticks because it is heavier than the magnet"),
        ]
    )
    assert right > 0 > wrong


def test_antonym_swaps_turn_right_answers_wrong_in_the_references_words() -> None:
    tree = ("The height is the length of the longest path from the root to a leaf.",)
    pitch = ("When the string was tighter, the pitch was higher.",)
    bulb = ("The bulb lights because it is in a closed path with the battery.",)
    rows = [
        (tree, "It is the longest path down from the root to a leaf.", 1.0),
        (tree, "The shortest path from the root.", 0.0),  # wrong already: not swapped
        (pitch, "Higher.", 1.0),
        (pitch, "A lower pitch.", 0.0),
        (bulb, "The bulb is in a closed path.", 1.0),
        (bulb, "The switch is closed, so the bulb and the battery are in a closed path.", 1.0),
        (bulb, "The switch is open.", 0.0),
        (("Plants make sugar from carbon dioxide and water.",), "They make sugar from water and air.", 1.0),
    ]
    references, answers, scores = zip(*rows, strict=True)
    swaps = antonym_swaps(load_nlp(), references, answers, np.array(scores), per_pair=1)
    assert swaps[0] == "It is the shortest path down from the root to a leaf."
    assert swaps[2] == "Lower."  # inflected and capitalised like the word it replaces
    assert swaps[1] is swaps[3] is swaps[6] is None
    assert swaps[7] is None  # no key word with an antonym
    # at most one answer per word and antonym: "closed" -> "open" once
    assert [s for s in swaps[4:6] if s is not None] in (
        ["The bulb is in a open path."],
        ["The switch is open, so the bulb and the battery are in a closed path."],
    )


def test_an_antonym_no_text_of_the_data_uses_is_not_swapped_in() -> None:
    """No text uses "shortest", so "longest" stays: a made-up form would teach the verifier a tell."""
    references = [("The height is the length of the longest path from the root to a leaf.",)]
    answers = ["It is the longest path down from the root to a leaf."]
    assert antonym_swaps(load_nlp(), references, answers, np.array([1.0])) == [None]
    answers = ["It is the longest path, not the shortest one."]  # "shortest" in a text now
    assert antonym_swaps(load_nlp(), references, answers, np.array([1.0])) != [None]
    assert antonym_swaps(load_nlp(), references, answers, np.array([1.0]), per_pair=0) == [None]  # --swaps 0


def test_short_references_are_verified_and_rubric_items_are_not() -> None:
    grader = ShortAnswerGrader.load(bank=BANK)
    short = AdHocItem("Why is the bulb on?", "It is in a closed path with the battery.")
    paragraph = AdHocItem("What happened in the lab?", " ".join(FACTS))
    assert graded_like_rubric(paragraph) and not graded_like_rubric(short)
    grades = grader.grade_many(
        [
            (short, "the bulb and the battery are in one closed circuit"),
            (short, ""),
            (paragraph, FACTS[0]),
            (load_bank(BANK).question("T1"), "Transformers process tokens in parallel."),
        ]
    )
    assert SIGNAL in grades[0].signals
    assert all(SIGNAL not in g.signals for g in grades[1:])
    assert "answer verifier" in grades[0].explanation
    assert all("answer verifier" not in g.explanation for g in grades[1:])
    # against several references: the mean of the verifier's logits
    answer = "the bulb and the battery are in one closed circuit"
    both = AdHocItem(short.question, short.reference_answer, alternatives=("The circuit is closed.",))
    expected = grader.verifier.logits([(ref, answer) for ref in both.references]).mean()
    assert grader.grade(both, answer).signals[SIGNAL] == pytest.approx(expected, abs=1e-3)


def test_the_shipped_short_reference_calibration_reads_the_verifier() -> None:
    blend = reference_calibration()
    assert SIGNAL in blend.features
    signals = dict.fromkeys(FEATURES, 0.5)
    # without a verifier (another embedding model) the other parts still score
    without = blend.score(signals)
    assert 0.0 <= without <= 1.0
    assert blend.score(signals | {SIGNAL: 6.0}) > without > blend.score(signals | {SIGNAL: -6.0})


def test_a_blend_leaves_out_a_part_whose_signal_is_missing() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, 2))
    y = (X[:, 0] > 0.5).astype(float)
    a = fit(X[:, :1], y, features=(FEATURES[0],), isotonic=False)
    b = fit(X[:, 1:], y, features=(SIGNAL,), isotonic=False)
    blend = fit_blend((a, b), (0.5, 0.5), X, y, features=(FEATURES[0], SIGNAL))
    alone = float(np.interp(a.score({FEATURES[0]: 0.9}), blend.map_x, blend.map_y))
    assert blend.score({FEATURES[0]: 0.9}) == pytest.approx(alone)


def _grade(signals: dict[str, float]) -> Grade:
    return Grade("q", 0.5, 0.5, 1.0, Verdict.PARTIAL, 0.5, False, "", signals=signals)


def test_out_of_fold_logits_replace_the_shipped_verifiers(tmp_path: Path) -> None:
    items = [AdHocItem("Q?", "R.", id="q1"), AdHocItem("Q?", "R.", id="q2"), AdHocItem("Q?", "R.", id="q2")]
    answers = ["same text", "same text", "other"]
    path = tmp_path / "oof.csv"
    write_oof(path, items, answers, np.array([1.5, -2.0, 0.25]))
    assert len(list(csv.DictReader(path.open(encoding="utf-8")))) == 3
    grades = [_grade({SIGNAL: 9.0}), _grade({SIGNAL: 9.0}), _grade({})]
    graded = Graded(items, answers, np.zeros(3), ["q1", "q2", "q2"], grades)
    replaced = with_oof(graded, path)
    assert [g.signals.get(SIGNAL) for g in replaced.grades] == [1.5, -2.0, None]
    unknown = Graded([AdHocItem("Q?", "R.", id="q3")], ["new"], np.zeros(1), ["q3"], [_grade({SIGNAL: 9.0})])
    with pytest.raises(ValueError, match="no logit for 1 rows: rerun scripts/train_verifier.py on them"):
        with_oof(unknown, path)
    answers_path = path.rename(tmp_path / OOF_ANSWERS_FILE)  # the file of unseen answers says how it is made
    with pytest.raises(ValueError, match="train_verifier.py --split answers on them"):
        with_oof(unknown, answers_path)
