"""The grading signals: what an answer says compared with a question's reference, rubric points and
known misconceptions. Each signal is a number in a small range; the calibration combines them.

Question demoting runs through everything: words that occur in the question weigh ``QUESTION_WEIGHT``
in token alignment and are dropped from lemma overlap, so echoing the question earns little.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from graders.embedding import Encoded
from graders.grade import MisconceptionHit, OtherQuestion, RubricHit
from graders.textproc import (
    COMPLEXITY,
    ENTITIES,
    ENTITY_STEMS,
    ENTITY_SWAPS,
    NEGATIONS,
    STOP,
    Analysis,
    Clause,
    Frame,
    Sentence,
    agreeing,
    merged,
    polar_stems,
    stem,
)

QUESTION_WEIGHT = 0.15
COVER_THRESHOLD = 0.62  # point similarity at which a rubric point counts as covered
MISCONCEPTION_THRESHOLD = 0.78
MISCONCEPTION_MARGIN = 0.10  # over the best rubric point for the same sentence
MISCONCEPTION_CORROBORATED = 0.72  # in a sentence that reverses a rubric point: no margin needed
MISCONCEPTION_WORDED = 0.66  # in a sentence that uses OWN_WORDS of its own words (ItemPack.own_words)
OWN_WORDS = 2
# An answer that covers none of the asked question's points answers another question of the bank when it
# covers at least this share of that question's rubric weight ...
OTHER_QUESTION_COVERS = 0.5
# ... and matches that question's points better, on average, by at least this (questions that share a
# topic, "the advantages of Transformers" and "why Transformers are efficient", are told apart by it)
OTHER_QUESTION_MARGIN = 0.15
# An answer that covers none of the asked question's points is about a neighbouring topic of the field
# (graders/data/other_topics.toml: "word2vec" for "what is BERT") when it is this much closer to that topic's
# definition than to the model answer or any rubric point; topics this close to the model answer are the
# question's own.
OTHER_TOPIC_MARGIN = 0.20
OTHER_TOPIC_RELATED = 0.50
REVERSAL_MATCH = COVER_THRESHOLD - 0.05  # point similarity at which a conflicting sentence reverses it
# A reversal that only the whole answer shows (a point may be made across sentences) needs a sentence that
# reverses the point and is about it, matching it at least this much on its own.
WHOLE_REVERSAL_MATCH = 0.40
_ENTITY_NAMES = frozenset(ENTITIES.values())
NEGATIVE_PREFIXES = ("un", "in", "im", "ir", "il", "non", "dis")
COMPARATIVES = frozenset(stem(w) for w in ("better", "worse", "more", "less", "best", "worst", "good", "bad"))
_NEGATING = frozenset(stem(w) for w in NEGATIONS)  # "not", "without": they deny content, they carry none
MIN_PART_PIECES = 4  # word pieces
_PART_CUTS = frozenset(
    {
        ",",
        ";",
        ":",
        "(",
        ")",
        "but",
        "while",
        "whereas",
        "which",
        "so",
        "because",
        "since",
        "although",
        "though",
    }
)

FEATURES: tuple[str, ...] = (
    "ref_cos",  # answer vs reference, sentence embeddings
    "ref_cos_demoted",  # same, pooling only content tokens not taken from the question
    "question_cos",  # answer vs question (echo / on topic)
    "align_precision",  # BERTScore-style greedy token alignment, question words demoted
    "align_recall",
    "align_f1",
    "coverage",  # weighted share of rubric points covered (negated / reversed ones excluded)
    "coverage_soft",  # weighted mean best similarity per point (0 for reversed ones)
    "reversed",  # weighted share of points whose best match negates or reverses them
    "lemma_recall",  # reference content stems (not in question) the answer uses
    "lemma_precision",  # answer content stems (not in question) found in the reference
    "novelty",  # share of answer content stems not in the question
    "misconception",  # best similarity to a known misconception, minus its margin
    "point_lemmas",  # weighted mean share of each point's content stems (not in question) the answer uses
)
# What an item's short reference answers are like, whatever the answer: the calibration of short references
# reads it to correct its other signals. The answer keeps the reference it is closest to, so the best of
# several alternatives matches a wrong answer better than one reference does. Its fitted weight is mostly
# a difference between SemEval's two corpora (SciEntsBank has one reference per question, Beetle several):
# within Beetle alone it has the same sign, a quarter of the size, and lifts accuracy without the
# verifier by 0.004 (question folds).
CONTEXT: tuple[str, ...] = ("log_references",)  # log of the number of acceptable reference answers


@dataclass(frozen=True)
class Target:
    """One thing an answer is compared with: a rubric point, a reference sentence or a misconception."""

    id: str
    text: str
    weight: float
    encoded: Encoded
    sentence: Sentence
    pieces: np.ndarray  # piece weights (question words demoted)


@dataclass(frozen=True)
class ItemPack:
    """Everything about a question that is encoded once and reused for every answer to it."""

    question_id: str
    question_stems: frozenset[str]
    question_topic: str | None
    question: Encoded
    reference: Encoded
    reference_analysis: Analysis
    points: tuple[Target, ...]
    misconceptions: tuple[Target, ...]
    has_rubric: bool

    @cached_property
    def point_stack(self) -> TargetStack:
        return TargetStack.of(self.points)

    @cached_property
    def misconception_stack(self) -> TargetStack:
        return TargetStack.of(self.misconceptions)

    @cached_property
    def own_words(self) -> tuple[frozenset[str], ...]:
        """Each misconception's own words: the stems that neither the question, the model answer, a rubric
        point nor another misconception of the item uses ("far fewer parameters"), not the topic's."""
        known = self.question_stems | self.reference_analysis.stems
        known = known.union(*(p.sentence.stems for p in self.points))
        return tuple(
            m.sentence.stems
            - known.union(*(o.sentence.stems for k, o in enumerate(self.misconceptions) if k != i))
            for i, m in enumerate(self.misconceptions)
        )


@dataclass(frozen=True)
class TargetStack:
    """Several targets' embeddings stacked, so that one sentence is compared with all of them at once."""

    vectors: np.ndarray  # (targets, dim)
    tokens: np.ndarray  # (all targets' pieces that count, dim): not their stop words or punctuation
    weights: np.ndarray  # those pieces' weights (question words demoted)
    owners: np.ndarray  # for each piece, the index of its target
    totals: np.ndarray  # each target's sum of piece weights

    @classmethod
    def of(cls, targets: tuple[Target, ...]) -> TargetStack:
        if not targets:  # e.g. a reference answer without words: nothing to compare with
            return cls(np.zeros((0, 0)), np.zeros((0, 0)), np.zeros(0), np.zeros(0, int), np.zeros(0))
        weights = np.concatenate([t.pieces for t in targets])
        counted = weights > 0  # a stop word or punctuation mark of a target adds nothing to its recall
        return cls(
            vectors=np.array([t.encoded.vector for t in targets]),
            tokens=np.concatenate([t.encoded.tokens for t in targets])[counted],
            weights=weights[counted],
            owners=np.repeat(np.arange(len(targets)), [len(t.pieces) for t in targets])[counted],
            totals=np.array([float(t.pieces.sum()) for t in targets]),
        )

    def similarities(self, enc: Encoded, sw: np.ndarray) -> np.ndarray:
        """Sentence-to-target similarity for every target: mean of embedding cosine and the target's
        token recall (each target piece's best match among the sentence's content pieces)."""
        if not len(self.totals):
            return np.zeros(0)
        cosine = self.vectors @ enc.vector
        keep = sw > 0
        if not keep.any() or not (self.totals > 0).any():
            return 0.5 * cosine
        return 0.5 * (cosine + self._recall((enc.tokens[keep] @ self.tokens.T).max(axis=0)))

    def rows(
        self, sentences: Sequence[Encoded], weights: Sequence[np.ndarray], whole: Encoded | None = None
    ) -> np.ndarray:
        """``similarities`` of each sentence and, given ``whole`` (the sentences together, their pieces
        concatenated), of the whole answer, from one matrix product: a target piece's best match in the
        whole is its best match in any sentence."""
        encs = [*sentences, whole] if whole is not None else list(sentences)
        if not len(self.totals):
            return np.zeros((len(encs), 0))
        cosine = np.array([e.vector for e in encs]) @ self.vectors.T
        recall = np.zeros(cosine.shape)
        if not (self.totals > 0).any():
            return 0.5 * (cosine + recall)
        kept = [e.tokens[w > 0] for e, w in zip(sentences, weights, strict=True)]
        products = np.concatenate(kept) @ self.tokens.T
        bests, start = [], 0
        for i, tokens in enumerate(kept):
            if len(tokens):
                bests.append(products[start : start + len(tokens)].max(axis=0))
                recall[i] = self._recall(bests[-1])
            start += len(tokens)
        if whole is not None and bests:
            recall[-1] = self._recall(np.max(bests, axis=0))
        return 0.5 * (cosine + recall)

    def _recall(self, best: np.ndarray) -> np.ndarray:
        sums = np.bincount(self.owners, weights=best * self.weights, minlength=len(self.totals))
        return np.divide(sums, self.totals, out=np.zeros(len(self.totals)), where=self.totals > 0)


@dataclass(frozen=True)
class BankPoints:
    """The rubric points of every question of a bank, stacked: which question does an answer answer?"""

    ids: tuple[str, ...]
    prompts: tuple[str, ...]
    stack: TargetStack
    question: np.ndarray  # each point's question (index into ids)
    weights: np.ndarray  # each point's rubric weight
    totals: np.ndarray  # each question's rubric weight
    references: np.ndarray  # each question's model answer embedding
    topics: tuple[str, ...]  # names of the field's neighbouring topics
    topic_vectors: np.ndarray  # their definitions' embeddings
    foreign: np.ndarray  # [question, topic]: the topic is not the question's own

    @classmethod
    def of(
        cls,
        ids: Sequence[str],
        prompts: Sequence[str],
        packs: Sequence[ItemPack],
        topics: Sequence[tuple[str, np.ndarray]],
    ) -> BankPoints:
        """``topics``: the field's neighbouring topics, (name, embedding of its definition)."""
        points = [(k, p) for k, pack in enumerate(packs) for p in pack.points]
        references = np.array([pack.reference.vector for pack in packs])
        vectors = np.array([v for _, v in topics]).reshape(len(topics), -1)
        return cls(
            tuple(ids),
            tuple(prompts),
            TargetStack.of(tuple(p for _, p in points)),
            np.array([k for k, _ in points], dtype=int),
            np.array([p.weight for _, p in points]),
            np.array([sum(p.weight for p in pack.points) for pack in packs]),
            references,
            tuple(name for name, _ in topics),
            vectors,
            references @ vectors.T < OTHER_TOPIC_RELATED,
        )


@dataclass(frozen=True)
class Signals:
    features: dict[str, float]
    rubric: tuple[RubricHit, ...]
    misconception: MisconceptionHit | None
    other_question: OtherQuestion | None = None
    other_topic: str | None = None  # the neighbouring topic of the field it is about instead


def reference_context(references: Sequence[str]) -> dict[str, float]:
    """The ``CONTEXT`` signals of an item with these reference answers."""
    return {"log_references": math.log(len(references))}


def piece_weights(encoded: Encoded, question_stems: frozenset[str]) -> np.ndarray:
    """Each word piece's weight: 0 in a stop word or punctuation, ``QUESTION_WEIGHT`` in a question word."""
    stems = [_piece_stem(word) for word in encoded.words]
    return np.array(
        [0.0 if s is None else QUESTION_WEIGHT if s in question_stems else 1.0 for s in stems],
        dtype=np.float32,
    )


@lru_cache(maxsize=65536)
def _piece_stem(word: str) -> str | None:
    """The stem of a word piece's whole word, None for a stop word or punctuation."""
    return None if word in STOP or not any(c.isalnum() for c in word) else stem(word)


def _weighted_max(sim: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    if total <= 0 or sim.size == 0:
        return 0.0
    return float((sim.max(axis=1) * weights).sum() / total)


def alignment(student: Encoded, sw: np.ndarray, reference: Encoded, rw: np.ndarray) -> tuple[float, float]:
    """Greedy max-similarity token alignment: (precision, recall), each a weighted mean."""
    keep = sw > 0
    if not keep.any() or rw.sum() <= 0:
        return 0.0, 0.0
    sim = student.tokens[keep] @ reference.tokens.T
    precision = _weighted_max(sim, sw[keep])
    recall = _weighted_max(sim.T, rw)
    return precision, recall


def concat(parts: list[Encoded]) -> Encoded:
    """Sentences as one text: their pieces in a row, their vectors' mean weighted by length."""
    tokens = np.concatenate([p.tokens for p in parts]) if parts else np.zeros((0, 384), np.float32)
    vector = np.sum([p.vector * max(len(p.words), 1) for p in parts], axis=0)
    vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
    return Encoded(vector, tokens, tuple(w for p in parts for w in p.words))


def _pooled(encoded: Encoded, weights: np.ndarray) -> np.ndarray | None:
    mask = weights >= 1.0
    if not mask.any():
        return None
    vec = encoded.tokens[mask].mean(axis=0)
    return vec / max(float(np.linalg.norm(vec)), 1e-9)


def conflicts(sentence: Sentence, target: Sentence, question: frozenset[str] = frozenset()) -> str | None:
    """Why ``sentence`` reverses ``target`` ("contradicts it", "swaps ...", "negates it"), or None.
    ``question``: the question's stems, which do not make a denied clause carry the target's content."""
    return (
        _contrasting_side(sentence, target)
        or _swapped_entities(sentence, target)
        or _negation(sentence, target, question)
        or _other_number(sentence, target, question)
    )


def _other_number(sentence: Sentence, target: Sentence, question: frozenset[str]) -> str | None:
    """The sentence gives only other values than the target for what the target counts: "24 layers" for
    "12 layers", "8" for "6" (a bare number counts anything but a complexity class); "O(n)" for "O(log n)"
    (``_other_classes``)."""
    if _other_classes(sentence, target, question):
        return "gives another complexity"
    for value, noun in target.quantities:
        if noun == COMPLEXITY:
            continue
        said = {v for v, n in sentence.quantities if n != COMPLEXITY and (n == noun or None in (n, noun))}
        if said and value not in said:
            return "gives another number"
    return None


def other_complexity(answer: Analysis, reference: Analysis, question: frozenset[str]) -> bool:
    """The answer as a whole names complexity classes, none of them the reference's ("O(n)" for "O(log
    n)"). Not numbers: an answer's numbers are often an example's ("15 and 25 both hash to 5")."""
    return _other_classes(merged(answer), merged(reference), question)


def _other_classes(sentence: Sentence, target: Sentence, question: frozenset[str]) -> bool:
    """The sentence names complexity classes, none of them one the target names: one of the target's two
    classes is a partial answer, not a wrong one. A class the question names is no claim ("Why is merge
    sort O(n log n)?")."""
    said = {v for v, n in sentence.quantities if n == COMPLEXITY} - question
    expected = {v for v, n in target.quantities if n == COMPLEXITY}
    return bool(said and expected) and not said & expected


def _same_entity(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _contrasting_side(sentence: Sentence, target: Sentence) -> str | None:
    """The sentence says the other side of a contrast ("sequential" for "parallel") of the same entity,
    or says the target's side of the other entity of a pair ("GPT-2 is bidirectional")."""
    # In a fixed order (a set of strings iterates in an order that changes between runs): a sentence that
    # reverses the target in two ways gets the same note every time.
    for side, entity in sorted(sentence.sides, key=lambda s: (s[0], s[1] or "")):
        says_other = any(s == -side and _same_entity(entity, e) for s, e in target.sides)
        says_same = any(s == side and _same_entity(entity, e) for s, e in target.sides)
        # "not only sequential but also parallel", or both sides of things it does not name: unclear
        both_sides = any(s == -side and _same_entity(entity, e) for s, e in sentence.sides)
        if both_sides:
            continue
        if says_other and not says_same:
            return "contradicts it"
        swapped = ENTITY_SWAPS.get(entity or "")
        if swapped and (side, swapped) in target.sides and (side, entity) not in target.sides:
            return f"says of the {entity} what holds for the {swapped}"
    return None


def _swapped_entities(sentence: Sentence, target: Sentence) -> str | None:
    """The sentence attributes to one entity what the target says of its counterpart ("the decoder
    reads the input" for "the encoder reads the input"): sharing two content words, among them what both
    do or an entity's name ("processes the sequence into a representation" and "uses the representation
    to generate the sequence" share things, not an act), or one when neither claim mentions the other
    entity (then "passes its representation to the decoder" is no swap). A sentence that also says it of
    the right entity ("unlike GPT, which sees the previous words, BERT sees the words on both sides")
    swaps nothing. Comparatives do not count ("GPT-2 is better at generating text" and "BERT is better at
    understanding text" share no claim), and one shared word only when it is what both claims say ("GPT-2
    is bidirectional") or names one of the pair ("the encoder writes the output"), not any thing they
    speak of ("text")."""

    def shared(a: Frame, b: Frame) -> frozenset[str]:
        return (a.stems & b.stems) - COMPARATIVES

    for frame in sentence.frames:
        swapped = ENTITY_SWAPS.get(frame.entity)
        # Nor does a sentence that says of this entity the other side of what the target says of its
        # counterpart: "traditional attention attends to a separate sequence" states the contrast the
        # target makes ("self-attention attends to the same sequence") from the other end.
        contrasted = any(e == frame.entity and (-s, swapped) in target.sides for s, e in sentence.sides)
        if swapped is None or contrasted:
            continue
        own = max((len(shared(frame, t)) for t in target.frames if t.entity == frame.entity), default=0)
        # A target that compares its entity with this one ("... more efficiently than RNNs") is not
        # swapped by a claim about this one ("RNNs forget over long sequences"): its sides tell that.
        # Nor is a denial of what holds for the other one ("RNNs cannot process it in parallel").
        counterparts = (
            t
            for t in target.frames
            if t.entity == swapped and frame.entity not in t.compared and t.negated == frame.negated
        )
        for other in counterparts:
            words = shared(frame, other)
            crossed = len(words)
            apart = stem(swapped) not in frame.stems and stem(frame.entity) not in other.stems
            right = max((len(shared(f, other)) for f in sentence.frames if f.entity == swapped), default=0)
            said = words <= (frame.predicates & other.predicates) | ENTITY_STEMS
            acts = bool(frame.predicates & other.predicates or words & ENTITY_STEMS)
            if crossed > max(own, right) and ((crossed >= 2 and acts) or (crossed == 1 and apart and said)):
                return f"says of the {frame.entity} what holds for the {swapped}"
    return None


def _opposites(stems: frozenset[str], other: frozenset[str]) -> frozenset[str]:
    """Stems of ``other`` that ``stems`` holds with a negative prefix ("independ" for "depend"), and not
    also without it ("a sorted or unsorted list" takes no side on "sorted")."""
    return frozenset(
        base for s, base in _unprefixed(stems) if base in other and s not in other and base not in stems
    )


@lru_cache(maxsize=16384)
def _unprefixed(stems: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(stem, stem without its negative prefix) for the stems that have one."""
    return tuple(
        (s, s[len(p) :]) for s in stems for p in NEGATIVE_PREFIXES if s.startswith(p) and len(s) - len(p) >= 4
    )


def _negation(sentence: Sentence, target: Sentence, question: frozenset[str]) -> str | None:
    """The clause that carries the target's content is negated in one and not the other; a word with a
    negative prefix ("independent of" for "depends on") negates like "not". Checked against the whole
    target, then against each of its clauses ("no stopping criterion is needed" denies the second clause
    of "it keeps generating until a stopping criterion is met")."""
    if not (target.stems and sentence.clauses):
        return None
    parts = [target.stems - question]
    if len(target.clauses) > 1:
        # not a clause that the question's words leave one word of ("an array has a fixed size" asked
        # about arrays: "size"): "you don't have to know the size" says nothing against it
        parts += [
            c.stems - question
            for c in target.clauses
            if len(c.stems - question) > 1 or not c.stems & question
        ]
    return "negates it" if any(_denied(sentence, stems, target.clauses) for stems in parts) else None


def _denied(sentence: Sentence, target_stems: frozenset[str], target_clauses: tuple[Clause, ...]) -> bool:
    """Whether the sentence's clause that carries ``target_stems`` has the other polarity than the target's
    clause it shares most with: of all of them, so that "changes do not affect the caller's variable" does
    not deny "changes affect the original" when the target also says "changes do not affect the caller";
    and than each of the clauses it shares most with, so that "you can change the variable" is no denial of
    "changes do not affect the caller" when the target says as much of "changes affect the original"."""

    def shared_with(clause_stems: frozenset[str], other: frozenset[str]) -> frozenset[str]:
        return ((clause_stems | _opposites(clause_stems, other)) & other) - _NEGATING

    def enough(stems: frozenset[str], denied: frozenset[str]) -> bool:
        """Whether a clause with these stems and words it denies on their own carries the target's content:
        beyond entity names, which count when denied ("generates the output sequence without using the
        encoder" carries "produces the output sequence from the encoder's representation")."""
        shared = (shared_with(stems, target_stems) - ENTITY_STEMS) | (denied & target_stems)
        return len(shared) >= 2 or (bool(shared) and len(target_stems) <= 2)

    # No clause shares more than its whole sentence: most sentences are ruled out here at once.
    if not enough(sentence.stems, frozenset().union(*(c.negated_terms for c in sentence.clauses))):
        return False
    # The clause sharing most of the target's content beyond entity names ("RNNs cannot ..." shares more
    # than its subject).
    best = max(
        sentence.clauses,
        key=lambda c: (len(shared_with(c.stems, target_stems) - ENTITY_STEMS), len(c.stems & target_stems)),
    )
    # A clause that names only its subject leaves out what it denies or affirms of it ("a pointer can be
    # null, a reference cannot"): it carries no claim to compare.
    if not enough(best.stems, best.negated_terms) or not best.stems - _NEGATING - {best.subject}:
        return False
    shares = [len(shared_with(c.stems, best.stems)) for c in target_clauses]
    top = max(shares, default=0)
    most = [c for c, n in zip(target_clauses, shares, strict=True) if n == top]
    return all(_reverses(sentence, best, target_stems, target_clauses, c) for c in most or [None])


def _reverses(
    sentence: Sentence,
    best: Clause,
    target_stems: frozenset[str],
    target_clauses: tuple[Clause, ...],
    target_clause: Clause | None,
) -> bool:
    """Whether the sentence's clause ``best`` has the other polarity than ``target_clause``, and speaks of
    the same subject. A clause that only holds what another clause of its sentence denies ("how it is
    implemented" in "independent of how it is implemented") is denied with it."""
    if target_clause is not None and None not in (best.subject, target_clause.subject):
        # "switch Y is not in the path" vs "bulb A is in the path"; but "position encoding does not add
        # information about the position" speaks of what "positional encoding adds ..." does, its subject
        # parsed as another of its nouns: it is not an entity, the target's clause contains it, and the
        # sentence names the target's subject too, or names no entity the target's subject is
        # ("each layer does not apply ..." for "each Transformer layer applies ...": it names no other)
        named = target_clause.subject in sentence.stems or (
            target_clause.subject in _ENTITY_NAMES and stem(target_clause.subject) not in sentence.stems
        )
        renamed = best.subject not in _ENTITY_NAMES and best.subject in target_clause.stems and named
        if best.subject != target_clause.subject and not renamed:
            return False
    # A word negated on its own ("higher, not lower") negates the claim only if the other side uses it,
    # and not when the other side denies it too ("without using the encoder", "without the encoder's help"),
    # nor when its own sentence says it in another clause ("instead of training from zero, ... keep
    # training": what is denied is the rest of the phrase).
    both = best.negated_terms & target_clause.negated_terms if target_clause is not None else frozenset()
    negated = (
        best.negated
        or bool((_denied_terms(best, sentence.clauses) - both) & target_stems)
        or bool(_opposites(best.stems, target_stems))
        or _governed(best, sentence.clauses)
    )
    target_negated = target_clause is not None and (
        target_clause.negated
        or bool((_denied_terms(target_clause, target_clauses) - both) & best.stems)
        or bool(_opposites(target_clause.stems, best.stems))
        or _governed(target_clause, target_clauses)
    )
    return negated != target_negated


def _denied_terms(clause: Clause, clauses: tuple[Clause, ...]) -> frozenset[str]:
    """The words ``clause`` denies on their own that no other clause of its sentence says unnegated."""
    said = frozenset().union(
        *(c.stems - c.negated_terms for c in clauses if c is not clause and not c.negated)
    )
    return clause.negated_terms - said


def _governed(clause: Clause, clauses: tuple[Clause, ...]) -> bool:
    """Whether another clause of the sentence denies everything ``clause`` holds ("independent of how it is
    implemented": the clause "how it is implemented" holds only "implement", which its parent denies)."""
    content = clause.stems - _NEGATING
    denied = frozenset().union(*(c.negated_terms for c in clauses if c is not clause))
    return bool(content) and content <= denied


def sentence_parts(enc: Encoded) -> list[Encoded]:
    """Runs of one or two consecutive clause-like parts of a sentence (cut at punctuation and clause
    conjunctions), pooled from the sentence's contextual token embeddings: no extra model pass."""
    cuts = [k for k, word in enumerate(enc.words) if word in _PART_CUTS]
    if not cuts:
        return []
    spans = [
        (a, b) for a, b in zip([0, *(k + 1 for k in cuts)], [*cuts, len(enc.words)], strict=True) if b > a
    ]
    parts = []
    for n in (1, 2):
        for first in range(len(spans) - n + 1):
            start, end = spans[first][0], spans[first + n - 1][1]
            if end - start < MIN_PART_PIECES or (start, end) == (0, len(enc.words)):
                continue
            tokens = enc.tokens[start:end]
            vector = tokens.mean(axis=0)
            parts.append(
                Encoded(vector / max(float(np.linalg.norm(vector)), 1e-9), tokens, enc.words[start:end])
            )
    return parts


def compute(
    pack: ItemPack, analysis: Analysis, sentences: list[Encoded], bank: BankPoints | None = None
) -> Signals:
    """All signals of one answer (already analysed and encoded sentence by sentence). ``bank``: the
    questions of the asked one's bank, to tell an answer to another of them."""
    qs = pack.question_stems
    answer = concat(sentences)
    aw = piece_weights(answer, qs)
    rw = piece_weights(pack.reference, qs)
    precision, recall = alignment(answer, aw, pack.reference, rw)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    a_pool, r_pool = _pooled(answer, aw), _pooled(pack.reference, rw)
    demoted = float(a_pool @ r_pool) if a_pool is not None and r_pool is not None else 0.0

    weights = [piece_weights(e, qs) for e in sentences]
    per_sentence = list(zip(analysis.sentences, sentences, weights, strict=True))
    whole = answer if len(sentences) > 1 else None  # a point may be made across two sentences
    if whole is not None:
        per_sentence.append((merged(analysis), answer, aw))
    sims = pack.point_stack.rows(sentences, weights, whole)
    hits: list[RubricHit] = []
    total = sum(p.weight for p in pack.points) or 1.0
    covered = soft = reversed_ = 0.0
    rows = range(len(per_sentence))
    # consistent[i, j]: sentence i does not reverse point j, so its similarity may count for the point.
    consistent = np.ones(sims.shape, dtype=bool)
    for j, point in enumerate(pack.points):
        notes = [conflicts(sent, point.sentence, qs) for sent, _, _ in per_sentence]
        if whole is not None and notes[-1] is not None:
            # The whole answer reverses the point only through a sentence of its own that is about the
            # point: "I don't train a model from zero" in a worked example does not deny that fine-tuning
            # adjusts the pre-trained weights, which the example's other sentences match.
            about = [i for i in rows[:-1] if notes[i] is not None and sims[i, j] >= WHOLE_REVERSAL_MATCH]
            notes[-1] = notes[-1] if about else None
        elif whole is not None:
            # Nor does the whole answer cover a point that one of its sentences reverses, matching it, when
            # no other sentence covers it on its own: "Transformers do not use multiple layers ... Each layer
            # does not apply self-attention to the output of the previous layer" denies, sentence by
            # sentence, the point the two sentences' words together match.
            reversing = [i for i in rows[:-1] if notes[i] is not None and sims[i, j] >= WHOLE_REVERSAL_MATCH]
            kept = any(notes[i] is None and sims[i, j] >= COVER_THRESHOLD for i in rows[:-1])
            notes[-1] = notes[reversing[0]] if reversing and not kept else None
        consistent[:, j] = [note is None for note in notes]
        best = max(rows, key=lambda i: sims[i, j], default=None)
        best_ok = max((i for i in rows if notes[i] is None), key=lambda i: sims[i, j], default=None)
        sim = float(sims[best, j]) if best is not None else 0.0
        sim_ok = float(sims[best_ok, j]) if best_ok is not None else 0.0
        is_covered = sim_ok >= COVER_THRESHOLD
        note = None
        if best is not None and notes[best] and sim >= REVERSAL_MATCH and not is_covered:
            note = f"matched but {notes[best]}"
            reversed_ += point.weight
        covered += point.weight * is_covered
        soft += point.weight * sim_ok
        evidence = per_sentence[best_ok if is_covered else best][0].text if (is_covered or note) else None
        hits.append(RubricHit(point.id, point.text, point.weight, is_covered, round(sim, 3), evidence, note))

    # A sentence that reverses a point it matches: evidence, independent of the embeddings, that it states
    # something wrong. A known misconception then only has to match it better than the points it keeps.
    # A sentence that uses the misconception's own words (which nothing right about the item uses) in its
    # own claim, not of what it sets the claim against ("unlike word2vec, which ..."), is evidence too:
    # then a lower similarity will do.
    reverses = ((~consistent) & (sims >= REVERSAL_MATCH)).any(axis=1)
    misconception: MisconceptionHit | None = None
    misc_feature = 0.0
    for i, (sent, enc, sw) in enumerate(per_sentence[: len(analysis.sentences)]):  # real sentences only
        if not pack.misconceptions:
            break
        # The whole sentence, then its clause-like parts: a misconception is often one part of a sentence
        # whose other parts are right ("BERT is pre-trained ... and gives every word one fixed vector").
        # Each with the stems it claims (not those of what the sentence sets its claim against).
        candidates = [(sims[i], pack.misconception_stack.similarities(enc, sw), sent.claimed)]
        foil = sent.stems - sent.claimed
        for part in sentence_parts(enc):
            stems = frozenset(stem(w) for w in part.words) & sent.stems
            if len(stems & foil) * 2 > len(stems):  # in what it sets its claim against: "unlike RNNs, where"
                continue
            pw = piece_weights(part, qs)
            candidates.append(
                (
                    pack.point_stack.similarities(part, pw),
                    pack.misconception_stack.similarities(part, pw),
                    stems & sent.claimed,
                )
            )
        for m, target in enumerate(pack.misconceptions):
            own = pack.own_words[m]
            # "it is not true that ...", or "unlike an RNN, where information passes step by step, ...":
            # the sentence rejects the misconception
            if conflicts(sent, target.sentence, qs) or (own & foil and not own & sent.claimed):
                continue
            for point_sims, misconception_sims, claimed in candidates:
                worded = len(own & claimed) >= OWN_WORDS
                sim = float(misconception_sims[m])
                # Margin over the best rubric point the sentence does not reverse: a sentence that swaps a
                # point's roles matches that point almost as well as the misconception stating the swap.
                allowed = point_sims[consistent[i]]
                margin = sim - (float(allowed.max()) if allowed.size else 0.0)
                misc_feature = max(misc_feature, sim - 0.5 + min(margin, 0.0))
                if (
                    (sim >= MISCONCEPTION_THRESHOLD and margin >= MISCONCEPTION_MARGIN)
                    or (sim >= MISCONCEPTION_CORROBORATED and margin >= 0 and reverses[i])
                    or (sim >= MISCONCEPTION_WORDED and margin >= MISCONCEPTION_MARGIN and worded)
                ) and (misconception is None or sim > misconception.similarity):
                    misconception = MisconceptionHit(target.id, target.text, sent.text, round(sim, 3))

    ref_stems = pack.reference_analysis.stems - qs
    ans_stems = analysis.stems - qs
    # Words count as shared only when said with the same polarity: "does not produce the output" shares
    # nothing with "produces the output".
    ans_polar = polar_stems(analysis.sentences)
    shared = agreeing(ans_polar, polar_stems(pack.reference_analysis.sentences)) & ref_stems
    features = {
        "ref_cos": float(answer.vector @ pack.reference.vector),
        "ref_cos_demoted": demoted,
        "question_cos": float(answer.vector @ pack.question.vector),
        "align_precision": precision,
        "align_recall": recall,
        "align_f1": f1,
        "coverage": covered / total,
        "coverage_soft": soft / total,
        "reversed": reversed_ / total,
        "lemma_recall": len(shared) / max(len(ref_stems), 1),
        "lemma_precision": len(shared) / max(len(ans_stems), 1),
        "novelty": len(ans_stems) / max(len(analysis.stems), 1),
        "misconception": misc_feature,
        "point_lemmas": _point_lemmas(pack, ans_polar),
    }
    other = None
    asked = bank.ids.index(pack.question_id) if bank is not None else -1
    # closer, as a whole, to another question's model answer than to its own (a cheap test first)
    if asked >= 0 and covered == 0 and (bank.references @ answer.vector > features["ref_cos"]).any():
        # like with like: the best similarity to each point, reversed or not, as against the other questions
        matched = float(np.array([p.weight for p in pack.points]) @ sims.max(axis=0)) / total
        best = bank.stack.rows(sentences, weights, whole).max(axis=0)
        other = _other_question(bank, asked, best, matched)
    topic = None
    if asked >= 0 and covered == 0 and other is None and bank.foreign[asked].any():
        # like with like: the whole answer against each definition, and against the key and its points
        own = max(features["ref_cos"], float(sims.max(initial=0.0)))
        closeness = np.where(bank.foreign[asked], bank.topic_vectors @ answer.vector, -1.0)
        k = int(np.argmax(closeness))
        if closeness[k] >= own + OTHER_TOPIC_MARGIN:
            topic = bank.topics[k]
    return Signals(features, tuple(hits), misconception, other, topic)


def _other_question(bank: BankPoints, asked: int, best: np.ndarray, soft: float) -> OtherQuestion | None:
    """The question of the bank, other than the one asked (index ``asked``), whose points the answer
    matches best (``best``: its best similarity to each point of the bank), if it covers
    OTHER_QUESTION_COVERS of them and matches them OTHER_QUESTION_MARGIN better than the asked one's
    (``soft``: the weighted mean of their best similarities). The answer's pieces keep the asked
    question's demotion: its words earn nothing against either."""

    def per_question(values: np.ndarray) -> np.ndarray:  # weighted mean over each question's points
        return np.bincount(bank.question, bank.weights * values, len(bank.ids)) / bank.totals

    coverage, means = per_question(best >= COVER_THRESHOLD), per_question(best)
    means[asked] = -np.inf
    k = int(np.argmax(means))
    if coverage[k] >= OTHER_QUESTION_COVERS and means[k] >= soft + OTHER_QUESTION_MARGIN:
        return OtherQuestion(bank.ids[k], bank.prompts[k], round(float(coverage[k]), 3))
    return None


def _point_lemmas(pack: ItemPack, answer: frozenset[tuple[str, bool]]) -> float:
    total = sum(p.weight for p in pack.points) or 1.0
    share = 0.0
    for point in pack.points:
        stems = point.sentence.stems - pack.question_stems
        used = agreeing(answer, polar_stems((point.sentence,)))
        share += point.weight * (len(stems & used) / len(stems) if stems else 0.0)
    return share / total
