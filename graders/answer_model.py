"""A bank's answer model: how likely an answer to one of the bank's questions is right, learned from graded
answers to those very questions.

Why: the grader's other signals compare an answer with the model answer, its rubric points and its known
misconceptions, and a misconception stated in the topic's own words ("BERT is trained twice, once left to
right and once right to left"; "the core principle is convolution") matches the key as well as a right
answer does. Answers to the same question, graded, tell what no comparison with one key can: which ways of
saying it are wrong. Logistic regression over two unit vectors of the answer (the grader's embedding;
``ShortAnswerGrader.answer_vectors``), both without the phrases each sentence sets its claim against
("unlike RNNs, which ..." claims nothing about RNNs): ``a``, what the answer affirms, without what it
denies ("it does not read the input; it takes the encoder's output" affirms the second clause only), and
``s``, what it states, denials included:

    logit = a . w + (a * r) . v + a . w_q + b_q + s . w_s + (s * r) . v_s + b

with ``r`` the model answer's unit vector, ``w``, ``v``, ``w_s`` and ``v_s`` shared by all questions and
``w_q``, ``b_q`` the question's own. A right answer that denies the wrong idea ("it does not start from
random weights: it starts from the pre-trained ones") reads like the wrong idea to a model of one vector;
one that reads both learns what a denial is worth. Fitted with L2 regularisation on answers labelled right
(scored 0.5 or more) or wrong.

The score combines it with the calibrated score (``feedback.combined``): a weighted mean, at most the
model's probability plus ``feedback.LEARNED_SLACK``, so that an answer the model judges wrong cannot score
as right.

A model is stored as JSON next to its bank (``<bank stem>.answers.json``; ``scripts/train_answer_model.py``
writes the shipped bank's), with the embedding model's fingerprint and, for each question it learned, a
digest of the question's prompt and model answer: a question edited since, or another embedding model,
is graded without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graders.bank import resolve_bank_path
from graders.errors import InputError
from graders.results import atomic_write_text

if TYPE_CHECKING:
    from graders.bank_schema import Question

log = logging.getLogger(__name__)

SUFFIX = ".answers.json"
FORMAT = 2
REGULARISATION = 10.0  # scikit-learn's C: inverse strength of the L2 penalty
MIN_ANSWERS = 10  # a question with fewer graded answers (or without both kinds) is not learned


def digest(question: Question) -> str:
    """What a question's learned weights depend on: its prompt and model answer."""
    return hashlib.sha1(f"{question.prompt}\x1e{question.model_answer}".encode()).hexdigest()[:16]


def model_path(bank: str | Path | None = None) -> Path:
    """Where the answer model of a bank (name, path, or None for the default bank) is stored."""
    path = resolve_bank_path(bank)
    return path.with_name(f"{path.stem}{SUFFIX}")


@dataclass(frozen=True)
class AnswerModel:
    fingerprint: str  # of the embedding model whose vectors it was fitted on (verifier.fingerprint)
    # question id -> (its digest, its row of ``own`` and ``biases``, how many answers it was learned from)
    questions: dict[str, tuple[str, int, int]]
    shared: np.ndarray  # (2 * dim,) w, then w_s
    agreement: np.ndarray  # (2 * dim,) v, then v_s: on the answer's vectors times the model answer
    own: np.ndarray  # (questions, dim) w_q
    biases: np.ndarray  # (questions,) b_q
    intercept: float
    source: str = ""

    def answers_learned(self, question: Question) -> int:
        """How many graded answers to ``question`` the model learned from; 0 when it does not apply."""
        known = self.questions.get(question.id)
        return known[2] if known is not None and known[0] == digest(question) else 0

    def probability(self, question: Question, answer: np.ndarray, reference: np.ndarray) -> float | None:
        """P(right) of an answer (its two unit vectors, affirmed and stated: shape (2, dim)) to
        ``question`` (its model answer's unit vector), None for a question the model has not learned (or
        that was edited since)."""
        if not self.answers_learned(question):
            return None
        row = self.questions[question.id][1]
        both = answer.ravel()
        logit = (
            float(both @ self.shared)
            + float((answer * reference).ravel() @ self.agreement)
            + float(answer[0] @ self.own[row])
            + float(self.biases[row])
            + self.intercept
        )
        return 1.0 / (1.0 + math.exp(-logit))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "source": self.source,
            "fingerprint": self.fingerprint,
            "intercept": round(self.intercept, 6),
            "shared": _rounded(self.shared),
            "agreement": _rounded(self.agreement),
            "questions": [
                {
                    "id": qid,
                    "digest": d,
                    "answers": n,
                    "weights": _rounded(self.own[row]),
                    "bias": _rounded(self.biases[row]),
                }
                for qid, (d, row, n) in self.questions.items()
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, where: str = "answer model") -> AnswerModel:
        try:
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            rows = data["questions"]
            return cls(
                fingerprint=str(data["fingerprint"]),
                questions={r["id"]: (r["digest"], k, int(r["answers"])) for k, r in enumerate(rows)},
                shared=np.asarray(data["shared"], dtype=np.float32),
                agreement=np.asarray(data["agreement"], dtype=np.float32),
                own=np.asarray([r["weights"] for r in rows], dtype=np.float32).reshape(len(rows), -1),
                biases=np.asarray([r["bias"] for r in rows], dtype=np.float32),
                intercept=float(data["intercept"]),
                source=str(data.get("source", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{where} is not a valid answer model: {exc}",
                hint="fit it again with 'quiz calibrate' (the packaged bank's with "
                "scripts/train_answer_model.py), or delete it to grade without it",
            ) from None

    def save(self, path: Path) -> None:
        atomic_write_text(path, json.dumps(self.to_json(), separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, path: Path) -> AnswerModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read the answer model {path}: {exc}") from None
        return cls.from_json(data, where=str(path))

    @classmethod
    def for_bank(cls, bank: str | Path | None, fingerprint: str) -> AnswerModel | None:
        """The answer model stored with a bank, None when there is none or it was fitted on another
        embedding model's vectors."""
        path = model_path(bank)
        if not path.is_file():
            return None
        model = cls.load(path)
        if model.fingerprint != fingerprint:
            log.info("the answer model %s was fitted on another embedding model: not used", path)
            return None
        return model


def fit(
    questions: Sequence[Question],
    asked: Sequence[str],
    answers: np.ndarray,
    right: np.ndarray,
    references: dict[str, np.ndarray],
    *,
    fingerprint: str,
    source: str = "",
) -> AnswerModel:
    """Fit on graded answers: ``asked[i]`` the question id of answer ``i``, ``answers`` their two unit
    vectors each, (answers, 2, dim), as the grader computes them, ``right`` their labels, ``references``
    each question's model answer vector. Questions with fewer than ``MIN_ANSWERS`` answers, or without
    both right and wrong ones, keep no weights of their own and are not scored by the model."""
    from sklearn.linear_model import LogisticRegression

    by_id = {q.id: q for q in questions}
    asked_arr = np.asarray(asked)
    right = np.asarray(right, dtype=bool)
    learned = [
        qid
        for qid in dict.fromkeys(asked)
        if qid in by_id
        and (asked_arr == qid).sum() >= MIN_ANSWERS
        and len(set(right[asked_arr == qid].tolist())) == 2
    ]
    if not learned:
        raise InputError(
            f"no question has {MIN_ANSWERS} graded answers, right and wrong: nothing to learn",
            hint="grade more answers to each question",
        )
    keep = np.isin(asked_arr, learned)
    vectors = np.asarray(answers, dtype=np.float64)[keep]
    rows = [learned.index(q) for q in asked_arr[keep]]
    dim = vectors.shape[2]
    r = np.array([references[q] for q in asked_arr[keep]], dtype=np.float64)
    own = np.zeros((len(vectors), len(learned) * dim))
    onehot = np.zeros((len(vectors), len(learned)))
    for i, k in enumerate(rows):
        own[i, k * dim : (k + 1) * dim] = vectors[i, 0]
        onehot[i, k] = 1.0
    both = vectors.reshape(len(vectors), 2 * dim)
    x = np.hstack([both, (vectors * r[:, None, :]).reshape(len(vectors), 2 * dim), own, onehot])
    lr = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x, right[keep])
    coef = lr.coef_[0]
    counts = {q: int((asked_arr == q).sum()) for q in learned}
    start = 4 * dim  # the questions' own weights
    return AnswerModel(
        fingerprint=fingerprint,
        questions={q: (digest(by_id[q]), k, counts[q]) for k, q in enumerate(learned)},
        shared=coef[: 2 * dim].astype(np.float32),
        agreement=coef[2 * dim : start].astype(np.float32),
        own=coef[start : start + len(learned) * dim].reshape(len(learned), dim).astype(np.float32),
        biases=coef[start + len(learned) * dim :].astype(np.float32),
        intercept=float(lr.intercept_[0]),
        source=source,
    )


def _rounded(values: np.ndarray | float) -> list[float] | float:
    if np.ndim(values) == 0:
        return round(float(values), 6)
    return [round(float(v), 6) for v in np.asarray(values).ravel()]
