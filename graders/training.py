"""Fitting calibrations on the public graded data (SemEval-2013, theory_dev.csv and the bank's graded
examples), and the module's bank's answer model on the answers written for it.

Shared by ``scripts/train_calibration.py`` (which writes the shipped default) and
``benchmarks/grading_quality.py`` (which measures it). Signals are extracted with the real grader,
so the numbers the benchmark reports are the numbers the product computes.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from graders.answer_model import AnswerModel
from graders.answer_model import fit as fit_model
from graders.bank_schema import Bank
from graders.calibration import Blend, Calibration, fit, fit_blend
from graders.feedback import LEARNED, Outcome, decide
from graders.grade import Grade
from graders.results import atomic_write_text
from graders.short_answer import AdHocItem, Item, ShortAnswerGrader, graded_like_rubric
from graders.signals import CONTEXT, FEATURES
from graders.textproc import stem
from graders.verifier import SIGNAL as VERIFIER
from graders.verifier import fingerprint

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

SEMEVAL = "semeval2013_train.csv"
THEORY_DEV = "theory_dev.csv"
# All SemEval rows (8,910, with Beetle's alternative reference answers): signal extraction takes about
# two minutes on 2 cores. --semeval-every K on the script or benchmark uses every K-th row.
SEMEVAL_EVERY = 1
# Pull of the SemEval prior on coefficients calibrated on instructor grades (L2 per unit of mean row
# loss). theory_dev leave-one-question-out is flat between 0.02 and 0.05 (0.003/0.01/0.02/0.03/0.05/0.1/0.3
# gave r 0.821/0.837/0.843/0.841/0.835/0.829/0.820, MAE 0.158/0.152/0.148/0.148/0.149/0.153/0.161).
PRIOR_STRENGTH = 0.02
# Weight of a bank's graded example in the rubric calibration, against 1 for a real student's answer:
# examples are written to illustrate a grade. With the module's 60 examples, theory_dev
# leave-one-question-out gave r/MAE 0.845/0.148 without them, 0.840/0.150 at weight 1, 0.844/0.150 at
# 0.5; the adversarial set's r 0.808 without, 0.828 at weight 1, 0.819 at 0.5 (a weak gain: that set's
# questions are the examples' questions).
EXAMPLE_WEIGHT = 0.5
# Weight of the SemEval model's P(correct) in the calibration of short references (the rubric
# calibration's score has the rest). SemEval unseen questions (accuracy) and theory_dev graded against
# the first sentence of each model answer (Pearson r, leave-one-question-out), for weights 1/0.7/0.5/0.3
# in a sweep that placed 0.5 on a grid of thresholds: accuracy 0.731/0.729/0.726/0.725, r
# 0.485/0.659/0.696/0.711 (benchmarks/RESULTS.md has the shipped weight's figures). Equal weights, not
# the sweep's best r: the prior alone ranks graded answers poorly, the rubric calibration alone loses
# 0.04 of SemEval's AUC. Rechecked once the SemEval model read the number of references (with the
# verifier): 0.4/0.5/0.6 gave accuracy 0.750/0.750/0.750, r 0.714/0.702/0.693, a plateau.
PRIOR_BLEND_WEIGHT = 0.5
# Weight of the verifier's P(correct) in the calibration of short references (the other two parts share
# the rest as above). Swept over 0-0.8 with both prior weights 0.5 and 0.3 (benchmarks.grading_quality's
# cache): 0.3 gives SemEval's best unseen-question accuracy, 0.749 against 0.725 without the verifier,
# and costs the first-sentence proxy of theory_dev 0.016 of r (0.5: 0.741, -0.06 of r; 0.8: 0.732,
# -0.28 of r; 0.2 to 0.4 all give 0.741 to 0.749, a plateau). A stacked logistic model of all signals
# and the verifier in its place did no better. With the number of references read: 0.2/0.3/0.4/0.5 gave
# 0.748/0.751/0.752/0.750, first-sentence r 0.712/0.702/0.692/0.668.
VERIFIER_BLEND_WEIGHT = 0.3
# The verifier's out-of-fold logits on the SemEval rows (scripts/train_verifier.py writes them): in the
# first file from adapters that never saw the row's question, in the second (``--split answers``) from
# adapters that saw other answers to it, in the third (``--split domains``) from adapters that never saw
# the row's science module (SciEntsBank) or question (Beetle).
OOF_FILE = "verifier_oof.csv"
OOF_PATH = Path(__file__).parent / "data" / OOF_FILE
OOF_ANSWERS_FILE = "verifier_oof_answers.csv"
OOF_ANSWERS_PATH = Path(__file__).parent / "data" / OOF_ANSWERS_FILE
OOF_DOMAINS_FILE = "verifier_oof_domains.csv"
OOF_DOMAINS_PATH = Path(__file__).parent / "data" / OOF_DOMAINS_FILE
# The graded answers written for the module's bank (read from a checkout by the training script and the
# benchmark): the answer model's training data.
WRITTEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "grading"
RIGHT_ANSWERS_FILE = "right_answers.csv"
# Each file by the ``--split`` of scripts/train_verifier.py that writes it.
OOF_FILES = {"questions": OOF_FILE, "answers": OOF_ANSWERS_FILE, "domains": OOF_DOMAINS_FILE}
# How many right answers ``antonym_swaps`` turns wrong with the same word and antonym, at most.
ANTONYM_SWAPS_PER_PAIR = 25


@dataclass(frozen=True)
class Graded:
    """Answers with their grades and the grader's output for them (signals, flags)."""

    items: list[Item]
    answers: list[str]
    scores: np.ndarray
    groups: list[str]  # question ids, for splits by question
    grades: list[Grade]
    weights: np.ndarray | None = None  # of each row in a fit; None: all 1

    @property
    def row_weights(self) -> np.ndarray:
        return np.ones(len(self.scores)) if self.weights is None else self.weights

    def matrix(self, features: Sequence[str] = FEATURES) -> np.ndarray:
        return np.array([[g.signals.get(f, 0.0) for f in features] for g in self.grades], dtype=float)

    @property
    def gradable(self) -> np.ndarray:
        """Rows the calibration applies to (empty answers are scored 0 by rule)."""
        return np.array(["empty" not in g.flags for g in self.grades])

    def __add__(self, other: Graded) -> Graded:
        return Graded(
            self.items + other.items,
            self.answers + other.answers,
            np.concatenate([self.scores, other.scores]),
            self.groups + other.groups,
            self.grades + other.grades,
            np.concatenate([self.row_weights, other.row_weights]),
        )

    def without(self, group: str) -> Graded:
        return self.subset(np.array(self.groups) != group)

    def subset(self, mask: np.ndarray) -> Graded:
        idx = np.flatnonzero(mask)
        return Graded(
            [self.items[i] for i in idx],
            [self.answers[i] for i in idx],
            self.scores[idx],
            [self.groups[i] for i in idx],
            [self.grades[i] for i in idx],
            None if self.weights is None else self.weights[idx],
        )


def read_semeval(path: Path) -> tuple[list[Item], list[str], np.ndarray, list[str]]:
    items, answers, scores, groups = [], [], [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            others = tuple(json.loads(row.get("all_reference_answers") or "[]"))
            items.append(
                AdHocItem(
                    row["question"], row["reference_answer"], id=row["question_id"], alternatives=others
                )
            )
            answers.append(row["student_answer"])
            scores.append(1.0 if row["label"] == "correct" else 0.0)
            groups.append(f"{row['dataset']}:{row['question_id']}")
    return items, answers, np.array(scores), groups


def question_folds(groups: Sequence[str], folds: int = 5) -> np.ndarray:
    """Each row's fold (0 .. folds - 1), all rows of a question in one fold; the same split every run."""
    names = sorted(set(groups))
    fold_of = dict(zip(names, np.random.default_rng(0).permutation(len(names)) % folds, strict=True))
    return np.array([fold_of[g] for g in groups])


def domain_folds(groups: Sequence[str], folds: int = 5) -> np.ndarray:
    """Each row's fold, all SciEntsBank questions of a science module (the question id's prefix: "EM" in
    "EM_45b") in one fold, as SemEval-2013's unseen-domains test split holds out whole modules; Beetle,
    one domain, by question as in ``question_folds``."""
    return question_folds([_domain(group) for group in groups], folds)


def _domain(group: str) -> str:
    dataset, _, question = group.partition(":")
    return f"{dataset}:{question.split('_')[0]}" if dataset.startswith("scientsbank") else group


def answer_folds(groups: Sequence[str], folds: int = 5) -> np.ndarray:
    """Each row's fold (0 .. folds - 1), every question's rows dealt round the folds from a random one, so
    that each fold holds unseen answers to questions the others have answers to; the same split every run."""
    rng = np.random.default_rng(0)
    rows_of: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        rows_of.setdefault(group, []).append(i)
    fold = np.zeros(len(groups), dtype=int)
    for name in sorted(rows_of):
        rows = rng.permutation(rows_of[name])
        fold[rows] = (np.arange(len(rows)) + rng.integers(folds)) % folds
    return fold


# The inflection a word's tag asks of its antonym ("longest": "shortest"), with the spellings to try.
_SUFFIX_OF_TAG = {
    **dict.fromkeys(("JJR", "RBR"), "er"),
    **dict.fromkeys(("JJS", "RBS"), "est"),
    **dict.fromkeys(("VBD", "VBN"), "ed"),
    "VBZ": "s",
    "VBG": "ing",
}
_WORDNET_POS = {"ADJ": "a", "ADV": "r", "VERB": "v"}
_WORDS = re.compile(r"[a-z]+")


def antonym_swaps(
    nlp: Language,
    references: Sequence[Sequence[str]],
    answers: Sequence[str],
    scores: np.ndarray,
    *,
    per_pair: int = ANTONYM_SWAPS_PER_PAIR,
) -> list[str | None]:
    """For each right answer (score >= 0.5), the answer with one word it shares with a reference swapped
    for the word's WordNet antonym ("the longest path" -> "the shortest path"); None for the others. Wrong
    answers in the reference's own words, for the verifier to learn to read what a key word says, not
    only that it is there.

    Only adjectives, adverbs and verbs (in their first two WordNet senses) are swapped, and only into a
    form some text of the data uses (so no "heavyer" or "unwire"), and never into a word a reference
    uses (then the swap is no contradiction). At most ``per_pair`` answers (chosen at random, seeded)
    swap the same word for the same antonym: Beetle's many "closed path" answers do not crowd out the
    rest."""
    if per_pair == 0:  # none wanted: no WordNet needed
        return [None] * len(answers)
    from graders.assets import ensure_wordnet

    ensure_wordnet()
    from nltk.corpus import wordnet

    texts = (*answers, *(r for refs in references for r in refs))
    vocabulary = {word for text in texts for word in _WORDS.findall(text.lower())}

    def antonym(token) -> str | None:
        pos = _WORDNET_POS.get(token.pos_)
        if pos is None or (token.is_stop and token.tag_ not in _SUFFIX_OF_TAG):
            return None
        lemma = token.lemma_.lower()
        for synset in wordnet.synsets(lemma, pos)[:2]:
            for name in (lem for lem in synset.lemmas() if lem.name().lower() == lemma):
                for other in (a.name().lower() for a in name.antonyms() if "_" not in a.name()):
                    if token.lower_ == lemma:
                        forms = [other]
                    else:
                        suffix = _SUFFIX_OF_TAG.get(token.tag_, "")
                        forms = [other + suffix, other + other[-1] + suffix, other[:-1] + "i" + suffix]
                        forms += [other[:-1] + suffix]
                    for form in forms:
                        if form in vocabulary and (form == other or wordnet.morphy(form, pos) == other):
                            return form
        return None

    rng = np.random.default_rng(0)
    by_pair: dict[tuple[str, str], list[tuple[int, str]]] = {}
    right = np.flatnonzero(np.asarray(scores) >= 0.5)
    for i, doc in zip(right, nlp.pipe(answers[i] for i in right), strict=True):
        key = {stem(word) for r in references[i] for word in _WORDS.findall(r.lower())}
        for token in doc:
            if stem(token.lower_) not in key:
                continue
            other = antonym(token)
            if other is None or stem(other) in key:
                continue
            if token.text[:1].isupper():
                other = other.capitalize()
            by_pair.setdefault((token.lemma_.lower(), other.lower()), []).append(
                (i, doc.text[: token.idx] + other + doc.text[token.idx + len(token) :])
            )
            break
    swaps: list[str | None] = [None] * len(answers)
    for pair in sorted(by_pair):
        rows = by_pair[pair]
        for k in rng.permutation(len(rows))[:per_pair]:
            swaps[rows[k][0]] = rows[k][1]
    return swaps


def write_oof(path: Path, items: Sequence[Item], answers: Sequence[str], logits: np.ndarray) -> None:
    """Store out-of-fold verifier logits by question id and answer (rows with the same question and answer
    text share one: the last)."""
    rows = {(item.id, answer): logit for item, answer, logit in zip(items, answers, logits, strict=True)}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["question_id", "answer", "logit"])
    writer.writerows([qid, answer, f"{logit:.4f}"] for (qid, answer), logit in rows.items())
    atomic_write_text(path, buffer.getvalue())


def grade_semeval(grader: ShortAnswerGrader, path: Path, every: int = SEMEVAL_EVERY) -> Graded:
    """Every ``every``-th SemEval row graded, with the verifier's out-of-fold logits (``with_oof``)."""
    items, answers, scores, groups = read_semeval(path)
    return with_oof(grade_all(grader, (items[::every], answers[::every], scores[::every], groups[::every])))


def with_oof(graded: Graded, path: Path = OOF_PATH) -> Graded:
    """``graded`` with the verifier signal of each row replaced by its out-of-fold logit: the shipped
    verifier has learned every SemEval row, so its own logits on them would be too good to fit on."""
    if not any(VERIFIER in g.signals for g in graded.grades):
        return graded
    with open(path, encoding="utf-8", newline="") as fh:
        oof = {(row["question_id"], row["answer"]): float(row["logit"]) for row in csv.DictReader(fh)}
    grades, missing = [], 0
    for item, answer, grade in zip(graded.items, graded.answers, graded.grades, strict=True):
        if VERIFIER in grade.signals:
            logit = oof.get((item.id, answer))
            missing += logit is None
            grade = replace(grade, signals={**grade.signals, VERIFIER: logit})
        grades.append(grade)
    if missing:
        split = {file: name for name, file in OOF_FILES.items()}.get(path.name, "questions")
        flag = "" if split == "questions" else f" --split {split}"
        raise ValueError(
            f"{path} has no logit for {missing} rows: rerun scripts/train_verifier.py{flag} on them"
        )
    return replace(graded, grades=grades)


def read_theory_dev(path: Path, bank: Bank) -> tuple[list[Item], list[str], np.ndarray, list[str]]:
    items, answers, scores, groups = [], [], [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            items.append(bank.question(row["question_id"]))
            answers.append(row["answer"])
            scores.append(float(row["score"]))
            groups.append(row["question_id"])
    return items, answers, np.array(scores), groups


def grade_examples(grader: ShortAnswerGrader, bank: Bank) -> Graded:
    """The bank's graded examples as calibration rows, each weighing ``EXAMPLE_WEIGHT``."""
    graded = grade_all(grader, read_examples(bank))
    return replace(graded, weights=np.full(len(graded.scores), EXAMPLE_WEIGHT))


def read_examples(bank: Bank) -> tuple[list[Item], list[str], np.ndarray, list[str]]:
    """The graded example answers a bank gives with its questions (for the module's bank: one right,
    one partial and one wrong answer per question, the wrong ones mostly misconceptions)."""
    pairs = [(question, example) for question in bank.questions for example in question.examples]
    return (
        [question for question, _ in pairs],
        [example.answer for _, example in pairs],
        np.array([float(example.score) for _, example in pairs]),
        [question.id for question, _ in pairs],
    )


@dataclass(frozen=True)
class Written:
    """Answers written and graded for the module's bank (``written_answers``): what its answer model
    learns from."""

    sources: list[str]  # the file (or "examples") each answer comes from: what leave-one-out drops
    asked: list[str]  # question ids
    answers: list[str]
    scores: np.ndarray

    def without(self, source: str) -> Written:
        keep = [i for i, s in enumerate(self.sources) if s != source]
        return Written(
            [self.sources[i] for i in keep],
            [self.asked[i] for i in keep],
            [self.answers[i] for i in keep],
            self.scores[keep],
        )


def written_answers(bank: Bank, folder: Path = WRITTEN_DIR) -> Written:
    """The graded answers written for the module's bank: every ``adversarial*.csv`` of ``folder``
    (question_id, category, expected score, answer), ``right_answers.csv`` (full marks) and the bank's
    own examples. theory_dev.csv is not among them: real students' answers stay for calibrating and
    measuring."""
    sources, asked, answers, scores = [], [], [], []
    for path in [*sorted(folder.glob("adversarial*.csv")), folder / RIGHT_ANSWERS_FILE]:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                sources.append(path.name)
                asked.append(row["question_id"])
                answers.append(row["answer"])
                scores.append(float(row.get("expected") or 1.0))
    _, texts, example_scores, groups = read_examples(bank)
    sources += ["examples"] * len(texts)
    return Written(sources, asked + groups, answers + texts, np.array(scores + list(example_scores)))


def graded_and_examples(graded: Graded, bank: Bank) -> Written:
    """Instructor-graded answers (``quiz calibrate``'s rows) and the bank's examples, as answer model data."""
    _, texts, scores, asked = read_examples(bank)
    return Written(
        ["graded"] * len(graded.answers) + ["examples"] * len(texts),
        list(graded.groups) + asked,
        list(graded.answers) + texts,
        np.concatenate([graded.scores, scores]),
    )


def fit_answer_model(grader: ShortAnswerGrader, bank: Bank, written: Written, *, source: str) -> AnswerModel:
    """The bank's answer model fitted on ``written`` (answers scored 0.5 or more count as right), on the
    vectors ``grader`` computes."""
    questions = [bank.question(q) for q in written.asked]
    vectors = grader.answer_vectors(zip(questions, written.answers, strict=True))
    packs = grader.packs(bank.questions)
    references = {q.id: p[0].reference.vector for q, p in zip(bank.questions, packs, strict=True)}
    return fit_model(
        bank.questions,
        written.asked,
        vectors,
        written.scores >= 0.5,
        references,
        fingerprint=fingerprint(grader.model),
        source=source,
    )


def grade_all(grader: ShortAnswerGrader, data: tuple, *, chunk: int = 512) -> Graded:
    items, answers, scores, groups = data
    grades: list[Grade] = []
    for start in range(0, len(answers), chunk):
        grades += grader.grade_many(
            zip(items[start : start + chunk], answers[start : start + chunk], strict=True)
        )
        log.info("graded %d/%d", len(grades), len(answers))
    return Graded(list(items), list(answers), np.asarray(scores), list(groups), grades)


def final_outcomes(
    data: Graded, calibration: Calibration, reference: Calibration | Blend | None = None
) -> list[Outcome]:
    """Score, confidence and review flag as the grader would give them with ``calibration`` for rubric
    items and paragraph references and ``reference`` (default: the same) for short references; caps and
    empty-answer rule included."""
    out = []
    for item, grade in zip(data.items, data.grades, strict=True):
        has_rubric = not isinstance(item, AdHocItem)
        if "empty" in grade.flags:
            out.append(decide(0.0, 0.0, grade.flags, has_rubric))
            continue
        binary = reference is not None and not graded_like_rubric(item)
        raw = (reference if binary else calibration).score(grade.signals)
        learned = grade.signals.get(LEARNED)
        out.append(
            decide(raw, grade.signals["coverage"], grade.flags, has_rubric, binary=binary, learned=learned)
        )
    return out


def final_scores(
    data: Graded, calibration: Calibration, reference: Calibration | Blend | None = None
) -> np.ndarray:
    """The scores of ``final_outcomes``."""
    return scores_of(final_outcomes(data, calibration, reference))


def scores_of(graded: Sequence[Outcome] | Sequence[Grade]) -> np.ndarray:
    return np.array([g.score for g in graded])


def fit_prior(semeval: Graded, features: Sequence[str] = FEATURES) -> Calibration:
    """The generic "is this answer right against its reference" model, without isotonic map: the prior
    of the rubric calibration (and, with the references' context, a part of the calibration of short
    reference answers: ``fit_reference``)."""
    rows = semeval.subset(semeval.gradable)
    return fit(
        rows.matrix(features),
        rows.scores,
        features=tuple(features),
        isotonic=False,
        source="SemEval-2013 train (SciEntsBank + Beetle, 2-way)",
    )


def fit_on(graded: Graded, prior: Calibration, *, source: str) -> Calibration:
    """Calibrate ``prior`` on instructor-graded rows (``quiz calibrate`` runs this fit on its CSV's rows,
    from the shipped calibration)."""
    rows = graded.subset(graded.gradable)
    return fit(
        rows.matrix(prior.features),
        rows.scores,
        features=prior.features,
        sample_weight=rows.row_weights,
        prior=prior,
        strength=PRIOR_STRENGTH,
        source=source,
    )


def fit_reference(calibration: Calibration, semeval: Graded) -> Blend:
    """The calibration of short references: a SemEval model of the rubric ``calibration``'s signals and the
    references' context (``signals.CONTEXT``), the rubric calibration and, when the rows have the
    verifier's logits, the verifier's Platt-scaled P(correct), blended, with 0.5 where SemEval's correct
    and incorrect answers part. Fitted on the rows it scores: short references, not empty."""
    short = np.array([not graded_like_rubric(item) for item in semeval.items], dtype=bool)
    rows = semeval.subset(semeval.gradable & short)
    semeval_model = fit_prior(rows, (*calibration.features, *CONTEXT))
    parts, weights = [semeval_model, calibration], [PRIOR_BLEND_WEIGHT, 1 - PRIOR_BLEND_WEIGHT]
    if rows.grades and all(VERIFIER in g.signals for g in rows.grades):
        parts.append(fit(rows.matrix([VERIFIER]), rows.scores, features=(VERIFIER,), isotonic=False))
        weights = [w * (1 - VERIFIER_BLEND_WEIGHT) for w in weights] + [VERIFIER_BLEND_WEIGHT]
    features = tuple(dict.fromkeys(f for part in parts for f in part.features))
    return fit_blend(
        tuple(parts),
        tuple(weights),
        rows.matrix(features),
        rows.scores,
        features=features,
        source=f"mean of a SemEval model with the references' context, the rubric calibration and the "
        f"verifier, 0.5 placed on {len(rows.scores)} SemEval-2013 rows",
    )
