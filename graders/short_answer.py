"""Grade free-text answers against a question's model answer, rubric and known misconceptions.

Public surface::

    grader = ShortAnswerGrader.load()                 # once: loads the embedding model and spaCy
    grade = grader.grade(question, "BERT is ...")     # -> graders.grade.Grade
    grades = grader.grade_many([(question, answer), ...])

``question`` is a bank ``Question`` (rubric points and misconceptions are used) or an ``AdHocItem``
with just the question text and one reference answer (the reference's sentences act as the points).
Bank questions and paragraph references are scored with the rubric calibration; a short reference
(one claim) with the reference-answer calibration (see ``graders.calibration``), which also reads the
answer verifier's logit (``graders.verifier``: one cross-encoder pass per answer and reference). A bank
question whose bank stores an answer model (``graders.answer_model``) is scored by it too, from the
answer's embedding.
Per-question encodings are cached, so grading many answers to the same questions encodes each
reference, rubric point and misconception once. ``grade_many`` parses all answers with one
``nlp.pipe`` and encodes all their sentences with one ``model.encode`` call.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import ThreadpoolController

from graders.answer_model import AnswerModel
from graders.bank_schema import Question
from graders.calibration import Blend, Calibration, calibration_for
from graders.calibration import reference_calibration as shipped_reference_calibration
from graders.embedding import Encoded, encode, load_model
from graders.errors import InputError
from graders.feedback import LEARNED, SAME_AS_REFERENCE, decide, explain, verdict_for
from graders.grade import Grade, Verdict
from graders.signals import (
    BankPoints,
    ItemPack,
    Target,
    compute,
    concat,
    other_complexity,
    piece_weights,
    reference_context,
)
from graders.textproc import (
    Analysis,
    analyse,
    analyse_sentence,
    enumerates,
    grader_addressing_spans,
    in_digits,
    is_empty_or_idk,
    is_keyword_list,
    load_nlp,
    merged,
    names_things,
)
from graders.verifier import SIGNAL as VERIFIER
from graders.verifier import Verifier, fingerprint

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

# The signals never read named entities; skipping the recogniser saves about 40% of the parse time.
UNUSED_PIPES = ("ner",)

# Off topic: answer-vs-reference and answer-vs-question cosine both under the first, the rubric points
# (or reference sentences) matched under the second on average, almost none of the reference's own
# words, and most of the answer's words without a close counterpart in the reference. The last keeps a
# terse right answer in other words ("Every token attends directly to every other token, so distance
# doesn't matter": cosines 0.21/0.20, alignment 0.41) from the cap; the adversarial set's off-topic
# answers align at most 0.36, 95% of the SemEval answers flagged without it under 0.39.
OFF_TOPIC_BELOW = 0.30
OFF_TOPIC_POINTS = 0.30
OFF_TOPIC_WORDS = 0.10
OFF_TOPIC_ALIGNED = 0.40
ECHO_NOVELTY_BELOW = 0.34  # share of the answer's content words not taken from the question
ECHO_RUBRIC_NOVELTY_BELOW = 0.50
ECHO_ADDS_THE_KEY = 0.5  # share of the words an answer adds to the question's that are the reference's
ECHO_KEY_WORDS_BELOW = 0.20  # share of the key's own words (lemma recall, per-point share) the answer uses
PADDED_WORDS = 150
OTHER_TOPICS_FILE = "other_topics.toml"
# A reference answer of at least this many words in several sentences is a paragraph: its sentences are
# separate points, like a rubric's. Shorter references (SemEval's: 99% under 42 words) are one claim.
PARAGRAPH_WORDS = 40
_SENTENCE_END = re.compile(r"[.!?](\s|$)")


@dataclass(frozen=True)
class AdHocItem:
    """A question that is not in a bank: its text, a reference answer and optionally other acceptable ones.

    An answer is graded against each reference and keeps the grade of the one it matches best.
    """

    question: str
    reference_answer: str
    points: float = 1.0
    id: str = "adhoc"
    alternatives: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.reference_answer.strip():
            raise InputError(
                f"question {self.id!r} has an empty reference answer", hint="give the answer it expects"
            )

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for r in (self.reference_answer, *self.alternatives) if r.strip()))


Item = Question | AdHocItem


def graded_like_rubric(item: Item) -> bool:
    """Whether the rubric calibration scores ``item``: a bank question, or an ad-hoc item whose
    reference answer is a paragraph of several sentences."""
    return not isinstance(item, AdHocItem) or _paragraph(item.reference_answer)


def _paragraph(text: str) -> bool:
    """Whether a reference answer is a paragraph (``PARAGRAPH_WORDS`` or more in several sentences), not a
    short one."""
    text = text.strip()
    return len(text.split()) >= PARAGRAPH_WORDS and len(_SENTENCE_END.findall(text)) >= 2


def _item_key(item: Item) -> str:
    if isinstance(item, AdHocItem):
        parts = [item.id, item.question, *item.references]
    else:
        parts = [item.id, item.prompt, item.model_answer]
        parts += [f"{p.id}\x1f{p.text}\x1f{p.weight}" for p in item.rubric]
        parts += [f"{m.id}\x1f{m.text}" for m in item.misconceptions]
    return hashlib.sha1("\x1e".join(parts).encode()).hexdigest()


class ShortAnswerGrader:
    """Grades short answers; build once (``load``) and reuse: the model and per-question encodings stay."""

    def __init__(
        self,
        model: SentenceTransformer,
        nlp: Language,
        calibration: Calibration,
        reference_calibration: Calibration | Blend | None = None,
        questions: Sequence[Question] = (),
        answer_model: AnswerModel | None = None,
    ) -> None:
        self.model = model
        self.nlp = nlp
        self.calibration = calibration  # bank questions and paragraph references
        # ad-hoc items with a short reference answer
        self.reference_calibration = reference_calibration or shipped_reference_calibration()
        # A bank's questions: an answer to one of them that answers another one instead is flagged.
        self.questions = tuple(questions)
        self._bank_keys = frozenset(_item_key(q) for q in self.questions)
        # learned from graded answers to the bank's questions (graders.answer_model); bank questions only
        self.answer_model = answer_model
        self._packs: dict[str, tuple[ItemPack, ...]] = {}  # per item: one pack per reference answer
        # Built once: each ThreadpoolController scans the loaded libraries (milliseconds per grade).
        self._threadpools = ThreadpoolController()

    @classmethod
    def load(
        cls,
        *,
        model: SentenceTransformer | None = None,
        calibration: Calibration | str | Path | None = None,
        bank: str | Path | None = None,
    ) -> ShortAnswerGrader:
        """Load the embedding model and spaCy pipeline (slow: call once, e.g. in a worker thread).

        ``bank`` (the default bank when None) is the bank whose questions are graded: an answer to one of
        them that answers another one instead is flagged, and the answer model stored with it, if any,
        scores them too. ``calibration`` is a ``Calibration``, a path to a calibration JSON, or None for
        the calibration stored with the bank by ``quiz calibrate``, else the shipped default.
        """
        from graders.bank import load_bank

        if calibration is None:
            calibration = calibration_for(bank)
        elif not isinstance(calibration, Calibration):
            calibration = Calibration.load(Path(calibration))
        model = model if model is not None else load_model()
        answer_model = AnswerModel.for_bank(bank, fingerprint(model))
        return cls(
            model, load_nlp(), calibration, questions=load_bank(bank).questions, answer_model=answer_model
        )

    @cached_property
    def _bank_points(self) -> BankPoints:
        packs = [item_packs[0] for item_packs in self.packs(self.questions)]
        names, definitions = zip(*_other_topics(), strict=True)
        topics = zip(names, (e.vector for e in encode(self.model, list(definitions))), strict=True)
        return BankPoints.of(
            [q.id for q in self.questions], [q.prompt for q in self.questions], packs, list(topics)
        )

    @cached_property
    def verifier(self) -> Verifier | None:
        """The answer verifier for this embedding model (loaded on the first short reference), if any."""
        return Verifier.from_model(self.model)

    def grade(self, item: Item, answer: str) -> Grade:
        return self.grade_many([(item, answer)])[0]

    def grade_many(self, pairs: Iterable[tuple[Item, str]]) -> list[Grade]:
        pairs = list(pairs)
        items = [item for item, _ in pairs]
        keys = [_item_key(item) for item in items]
        packs = self._packs_of(keys, items)
        banks = [self._bank_points if key in self._bank_keys else None for key in keys]
        # only an answer that the answer model scores needs its claim vectors
        learned = [self.answer_model is not None and isinstance(item, Question) for item in items]
        texts, flag_sets, analyses, per_answer, claims = self._read(pairs, packs, learned)
        verified = self._verify(items, texts)
        grades = []
        # The signal maths is many tiny matrix products; BLAS threads only add synchronisation to them.
        with self._threadpools.limit(limits=1, user_api="blas"):
            for (item, _), item_packs, analysis, flags, sentences, claim, logit, bank in zip(
                pairs, packs, analyses, flag_sets, per_answer, claims, verified, banks, strict=True
            ):
                grades.append(
                    self._grade_one(item, item_packs, analysis, sentences, flags, logit, bank, claim)
                )
        return grades

    def answer_vectors(self, pairs: Iterable[tuple[Item, str]]) -> np.ndarray:
        """Each answer's claim vectors as grading computes them (``_read``; zeros for an empty answer):
        what ``graders.answer_model`` learns from, (answers, 2, dim)."""
        pairs = list(pairs)
        packs = self.packs([item for item, _ in pairs])
        claims = self._read(pairs, packs, [True] * len(pairs))[4]
        empty = np.zeros((2, *packs[0][0].reference.vector.shape), np.float32) if packs else None
        return np.array([empty if claim is None else claim for claim in claims])

    def _read(
        self, pairs: list[tuple[Item, str]], packs: list[tuple[ItemPack, ...]], learned: list[bool]
    ) -> tuple[list[str], list[list[str]], list[Analysis], list[list[Encoded]], list[np.ndarray | None]]:
        """The answers as graded (text addressed to the grader removed, "I don't know" emptied), their
        first flags, analyses, encoded sentences and claim vectors (None without a sentence, or where
        ``learned`` says the answer model does not score the answer): one parse and one encode for all.
        The answer model reads words, not what the answer says of them, so it gets two vectors of each
        answer: what it affirms, without what it denies ("does not read the input; it takes the
        encoder's output"), and what it states, denials and all; both without the phrases it sets its
        claims against ("unlike RNNs, which go step by step, ..."). Only sentences with such phrases or
        denials are encoded again."""
        texts, flag_sets = [], []
        for _, answer in pairs:
            flags = []
            addressing = grader_addressing_spans(answer)
            if addressing:
                flags.append("addresses_grader")
                for span in addressing:
                    answer = answer.replace(span, " ")
            if is_empty_or_idk(answer):
                flags.append("empty")
                answer = ""
            texts.append(answer)
            flag_sets.append(flags)
        # a pronoun before the answer names anything speaks of the question's topic
        topics = [item_packs[0].question_topic for item_packs in packs]
        analyses = [analyse(doc, topic) for doc, topic in zip(self._parse(texts), topics, strict=True)]
        sentences = [s for a in analyses for s in a.sentences]
        wanted = [wants for a, wants in zip(analyses, learned, strict=True) for _ in a.sentences]
        foiled = [i for i, s in enumerate(sentences) if s.claim is not None and wanted[i]]
        denying = [i for i, s in enumerate(sentences) if s.affirmed is not None and wanted[i]]
        encoded = encode(
            self.model,
            [s.text for s in sentences]
            + [sentences[i].claim for i in foiled]
            + [sentences[i].affirmed for i in denying],
        )
        stated = encoded[: len(sentences)]
        for k, i in enumerate(foiled):
            stated[i] = encoded[len(sentences) + k]
        affirmed = list(stated)
        for k, i in enumerate(denying):
            affirmed[i] = encoded[len(sentences) + len(foiled) + k]
        per_answer, claims, start = [], [], 0
        for analysis, wants in zip(analyses, learned, strict=True):
            end = start + len(analysis.sentences)
            per_answer.append(encoded[start:end])
            claims.append(
                np.stack([concat(affirmed[start:end]).vector, concat(stated[start:end]).vector])
                if end > start and wants
                else None
            )
            start = end
        return texts, flag_sets, analyses, per_answer, claims

    def _verify(self, items: list[Item], texts: list[str]) -> list[float | None]:
        """The verifier's logit for each answer to a short reference (the mean over its references: the
        best one is too often a loose alternative that a wrong answer also matches; one batched pass for
        all), None for the others or without a verifier."""
        todo = [
            i
            for i, (item, text) in enumerate(zip(items, texts, strict=True))
            if text.strip() and not graded_like_rubric(item)
        ]
        logits: list[float | None] = [None] * len(items)
        if not todo or self.verifier is None:
            return logits
        pairs = [(reference, texts[i]) for i in todo for reference in items[i].references]
        scores = iter(self.verifier.logits(pairs))
        for i in todo:
            logits[i] = float(np.mean([next(scores) for _ in items[i].references]))
        return logits

    def _parse(self, texts: list[str]) -> list[Doc]:
        # NumPy's BLAS runs the parse's matrix products (textproc.use_numpy_gemm) on one thread: more
        # would be a little faster, but its threads keep spinning afterwards and slow the model's passes.
        with self._threadpools.limit(limits=1, user_api="blas"):
            return list(self.nlp.pipe(texts, batch_size=256, disable=list(UNUSED_PIPES)))

    def _grade_one(
        self,
        item: Item,
        packs: tuple[ItemPack, ...],
        analysis: Analysis,
        sentences: list[Encoded],
        flags: list[str],
        verifier_logit: float | None = None,
        bank: BankPoints | None = None,
        claim: np.ndarray | None = None,
    ) -> Grade:
        max_points = float(item.points)
        pack = packs[0]
        if "empty" in flags or not analysis.sentences:
            if "empty" not in flags:
                flags.append("empty")
            outcome = decide(0.0, 0.0, ("empty",), pack.has_rubric)
            explanation = explain(0.0, (), None, tuple(flags), pack.has_rubric)
            if "addresses_grader" in flags:
                explanation += " Text addressed to the grader was ignored and flagged for review."
            return Grade(
                pack.question_id,
                0.0,
                0.0,
                max_points,
                Verdict.INCORRECT,
                outcome.confidence,
                "addresses_grader" in flags,
                explanation,
                flags=tuple(flags),
            )
        # Against several acceptable references the answer keeps the one it is closest to.
        pack, signals = max(
            ((p, compute(p, analysis, sentences, bank)) for p in packs),
            key=lambda ps: _closeness(ps[1].features),
        )
        binary = not graded_like_rubric(item)
        f = signals.features if verifier_logit is None else {**signals.features, VERIFIER: verifier_logit}
        if binary:
            f = {**f, **reference_context(item.references)}
        # The reference itself, in any case and punctuation ("paris" for "Paris."), is right whatever the
        # signals make of a one-word answer.
        keys = item.references if isinstance(item, AdHocItem) else (item.model_answer,)
        exact = _plain(analysis.text) in {_plain(key) for key in keys}
        misconception = None if exact else signals.misconception
        other_question = None if exact else signals.other_question
        other_topic = None if exact else signals.other_topic
        if exact:
            flags.append(SAME_AS_REFERENCE)
        else:
            flags.extend(_detect(analysis, pack, f))
            if other_topic is not None and "off_topic" not in flags:
                flags.append("off_topic")
        if misconception is not None:
            flags.append("misconception")
        if other_question is not None:
            flags.append("other_question")
        raw = (self.reference_calibration if binary else self.calibration).score(f)
        learned = None
        if self.answer_model is not None and isinstance(item, Question) and claim is not None:
            learned = self.answer_model.probability(item, claim, pack.reference.vector)
        outcome = decide(raw, f["coverage"], tuple(flags), pack.has_rubric, binary=binary, learned=learned)
        model_signal = {LEARNED: learned} if learned is not None else {}
        score = outcome.score
        return Grade(
            question_id=pack.question_id,
            score=score,
            points=round(score * max_points, 4),
            max_points=max_points,
            verdict=verdict_for(score, binary=binary),
            confidence=outcome.confidence,
            needs_review=outcome.needs_review,
            explanation=explain(
                score,
                signals.rubric,
                misconception,
                tuple(flags),
                pack.has_rubric,
                verifier_logit,
                other_question,
                other_topic,
                learned=(raw, learned) if learned is not None else None,
            ),
            rubric=signals.rubric,
            misconception=misconception,
            flags=tuple(flags),
            signals={k: round(v, 4) for k, v in {**f, "calibrated": raw, **model_signal}.items()},
            other_question=other_question,
        )

    def packs(self, items: Sequence[Item]) -> list[tuple[ItemPack, ...]]:
        """Per-question encodings (one pack per reference answer), built for all new items in one parse
        and one encode call."""
        return self._packs_of([_item_key(item) for item in items], items)

    def _packs_of(self, keys: list[str], items: Sequence[Item]) -> list[tuple[ItemPack, ...]]:
        todo = {key: item for key, item in zip(keys, items, strict=True) if key not in self._packs}
        if todo:
            self._build_packs(todo)
        return [self._packs[key] for key in keys]

    def _build_packs(self, todo: dict[str, Item]) -> None:
        per_item = [_Spec.of(item) for item in todo.values()]
        specs = [spec for item_specs in per_item for spec in item_specs]
        docs = iter(self._parse([t for spec in specs for t in spec.texts()]))
        for spec in specs:
            spec.parse(docs)
        encodings = iter(encode(self.model, [t for spec in specs for t in spec.texts()]))
        for key, item_specs in zip(todo, per_item, strict=True):
            self._packs[key] = tuple(spec.pack(encodings) for spec in item_specs)


@dataclass
class _Spec:
    """The texts of one item while its pack is built: parsed in one pipe call, encoded in one encode."""

    item: Item
    question: str
    reference: str
    points: list[tuple[str, str, float]]  # (id, text, weight); empty: the reference's sentences
    misconceptions: list[tuple[str, str]]
    analyses: list[Analysis] | None = None

    @classmethod
    def of(cls, item: Item) -> list[_Spec]:
        if isinstance(item, AdHocItem):
            return [cls(item, item.question, reference, [], []) for reference in item.references]
        return [
            cls(
                item,
                item.prompt,
                item.model_answer,
                [(p.id, p.text, p.weight) for p in item.rubric],
                [(m.id, m.text) for m in item.misconceptions],
            )
        ]

    def texts(self) -> list[str]:
        return [
            self.question,
            self.reference,
            *(p[1] for p in self.points),
            *(m[1] for m in self.misconceptions),
        ]

    def parse(self, docs: Iterator[Doc]) -> None:
        question = analyse(next(docs))
        self.analyses = [question, *(analyse(next(docs), question.topic) for _ in self.texts()[1:])]
        if not self.points:  # no rubric: each sentence of the reference is a point
            sentences = self.analyses[1].sentences
            self.points = [(f"ref{i + 1}", s.text, 1.0) for i, s in enumerate(sentences)]
            self.analyses[2:2] = [analyse_sentence(s) for s in sentences]

    def pack(self, encodings: Iterator[Encoded]) -> ItemPack:
        assert self.analyses is not None, "parse() first"
        question_an, reference_an, *rest = self.analyses
        qs = question_an.stems
        question, reference = next(encodings), next(encodings)
        targets = []
        for (tid, text, weight), an in zip(
            [*self.points, *((mid, text, 1.0) for mid, text in self.misconceptions)], rest, strict=True
        ):
            enc = next(encodings)
            sentence = merged(an) if an.sentences else merged(reference_an)
            targets.append(Target(tid, text, weight, enc, sentence, piece_weights(enc, qs)))
        return ItemPack(
            question_id=self.item.id,
            question_stems=qs,
            question_topic=question_an.topic,
            question=question,
            reference=reference,
            reference_analysis=reference_an,
            points=tuple(targets[: len(self.points)]),
            misconceptions=tuple(targets[len(self.points) :]),
            has_rubric=not isinstance(self.item, AdHocItem),
        )


def _other_topics() -> list[tuple[str, str]]:
    """The neighbouring topics of the field (graders/data/other_topics.toml): (name, definition)."""
    import tomllib
    from importlib import resources

    data = tomllib.loads(
        resources.files("graders.data").joinpath(OTHER_TOPICS_FILE).read_text(encoding="utf-8")
    )
    return [(topic["name"], topic["text"]) for topic in data["topics"]]


def _plain(text: str) -> str:
    """Lower-case words and numbers (in digits) only: what two spellings of the same answer share."""
    return " ".join(in_digits(word) for word in re.findall(r"\w+", text.casefold()))


def _closeness(features: dict[str, float]) -> float:
    """How closely an answer matches one reference: picks among alternative references, independently
    of the calibration (which is fitted on the signals of the reference picked here)."""
    return features["coverage_soft"] + features["align_f1"]


def _detect(analysis: Analysis, pack: ItemPack, f: dict[str, float]) -> list[str]:
    flags = []
    # A list of terms explains nothing, unless the key itself only names things ("Enqueue and dequeue.") or
    # is a short reference answer that lists terms ("The main phases are requirements, design, ...")
    key = pack.reference_analysis
    short_list = not pack.has_rubric and not _paragraph(key.text) and enumerates(key.text)
    if is_keyword_list(analysis) and not (names_things(key) or short_list):
        flags.append("keyword_list")
    # An echo adds almost nothing to the question's words and does not say what the reference adds to
    # them (a reference may itself reuse the question's words: "the terminals are connected"). Against a
    # short reference, what little it adds may be the answer: "O(log n) worst case" for "the worst-case
    # running time of binary search", whose reference is "O(log n), because ...", is no echo.
    # With a rubric, an answer mostly in the question's words that uses almost none of the key's own words
    # echoes however well its embedding matches the points (an echo shares their topic).
    if (
        f["novelty"] < ECHO_NOVELTY_BELOW
        and f["lemma_recall"] < ECHO_NOVELTY_BELOW
        and f["coverage"] < 0.5
        and (pack.has_rubric or f["lemma_precision"] < ECHO_ADDS_THE_KEY)
    ) or (
        pack.has_rubric
        and f["novelty"] < ECHO_RUBRIC_NOVELTY_BELOW
        and f["lemma_recall"] < ECHO_KEY_WORDS_BELOW
        and f["point_lemmas"] < ECHO_KEY_WORDS_BELOW
    ):
        flags.append("echo")
    elif (
        max(f["ref_cos"], f["question_cos"]) < OFF_TOPIC_BELOW
        and f["coverage_soft"] < OFF_TOPIC_POINTS
        and f["lemma_recall"] < OFF_TOPIC_WORDS
        and f["align_precision"] < OFF_TOPIC_ALIGNED
    ):
        flags.append("off_topic")
    # It reverses at least as much of the answer key as it affirms: a misconception costs the answer, as
    # it does with instructors. Only rubric points are short single claims that the negation test can
    # judge; against a whole reference answer the signal stays a soft one for the calibration, and a grade
    # that it leaves correct goes to a person (``feedback.decide``).
    if pack.has_rubric and f["reversed"] > 0 and f["reversed"] >= f["coverage"]:
        flags.append("contradicts_key")
    elif not pack.has_rubric and f["reversed"] > 0:
        flags.append("contradicts_reference")
    # Against a short reference, other complexity classes than its own are wrong however well the rest
    # reads: "O(n), since each comparison halves the search range" scored 0.74 against "O(log n), because
    # each comparison halves the search range".
    if not pack.has_rubric and other_complexity(analysis, pack.reference_analysis, pack.question_stems):
        flags.append("other_complexity")
    if analysis.n_words > max(PADDED_WORDS, 4 * pack.reference_analysis.n_words):
        flags.append("long_padded")
    return flags
