"""Pairs of students whose work is suspiciously alike, with the evidence an instructor needs to judge.

Theory: answers to the same question whose sentence embeddings are near-identical (cosine >= 0.95;
different honest answers to the questions of the shipped bank stay below 0.89, measured on
theory_dev.csv). Short answers are left out: two students writing "self-attention" are not copying.

Code: winnowing (Schleimer, Wilkerson & Aiken 2003, the algorithm behind MOSS) over normalised tokens:
comments and layout are dropped, local names become ``V`` and literals ``S``/``N`` (renaming variables
hides nothing), while keywords, builtins and attribute names stay (they carry the solution's shape).
Fingerprints of the practical's template and fingerprints shared by many submissions (the obvious way
to write a line) are not evidence; a pair is flagged when most of the smaller submission's remaining
fingerprints also occur in the other one. The evidence is the matching lines of both files.
"""

from __future__ import annotations

import builtins
import io
import itertools
import keyword
import math
import tokenize
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from graders.gradebook import Gradebook, SimilarityFlag

THEORY_COSINE = 0.95
THEORY_MIN_WORDS = 8
K_GRAM = 10  # tokens per fingerprinted k-gram: about one short statement
WINDOW = 4  # winnowing window: any match of K_GRAM + WINDOW - 1 tokens is always detected
CODE_SHARE = 0.6  # of the smaller submission's evidence fingerprints found in the other
CODE_MIN_SHARED = 6
COMMON_SHARE = 0.1  # fingerprints in more than this share of submissions (and more than 3) are common

_KEEP = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | {"self"}
_SKIP = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
    tokenize.TYPE_COMMENT,
}


@dataclass(frozen=True)
class Fingerprints:
    """A submission's winnowed fingerprints: hash -> (first line, last line) of its first occurrence."""

    lines: dict[int, tuple[int, int]]
    source: str


def normalised_tokens(code: str) -> list[tuple[str, int]]:
    """(normalised token, line) pairs; code that does not tokenize is cut at the first error."""
    tokens: list[tuple[str, int]] = []
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in _SKIP:
                continue
            if tok.type == tokenize.STRING or tok.type in _FSTRING_PARTS:
                text = "S"
            elif tok.type == tokenize.NUMBER:
                text = "N"
            elif tok.type == tokenize.NAME and tok.string not in _KEEP and previous != ".":
                text = "V"
            else:
                text = tok.string
            if text == "S" and tokens and tokens[-1][0] == "S":
                continue  # an f-string's parts, or implicitly joined strings: one literal
            tokens.append((text, tok.start[0]))
            previous = tok.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return tokens


_FSTRING_PARTS = {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
}


def fingerprints(code: str, *, k: int = K_GRAM, window: int = WINDOW) -> Fingerprints:
    tokens = normalised_tokens(code)
    grams = [
        (zlib.crc32(" ".join(t for t, _ in tokens[i : i + k]).encode()), tokens[i][1], tokens[i + k - 1][1])
        for i in range(len(tokens) - k + 1)
    ]
    chosen: dict[int, tuple[int, int]] = {}
    for start in range(max(len(grams) - window + 1, 1 if grams else 0)):
        block = grams[start : start + window]
        # the rightmost minimum, as in the paper, so that runs of equal hashes select one fingerprint
        best = min(range(len(block)), key=lambda i: (block[i][0], -i))
        digest, first, last = block[best]
        chosen.setdefault(digest, (first, last))
    return Fingerprints(chosen, code)


@dataclass(frozen=True)
class CodePair:
    student_a: str
    student_b: str
    score: float
    shared: int
    lines_a: list[tuple[int, int]]
    lines_b: list[tuple[int, int]]


def code_pairs(
    sources: dict[str, str],
    *,
    template: str = "",
    share: float = CODE_SHARE,
    min_shared: int = CODE_MIN_SHARED,
) -> list[CodePair]:
    """Flagged pairs among ``sources`` (student -> code of one practical), template code excluded."""
    excluded = set(fingerprints(template).lines) if template else set()
    prints = {s: fingerprints(code) for s, code in sources.items()}
    counts = Counter(h for fp in prints.values() for h in set(fp.lines) - excluded)
    common_above = max(3, math.floor(COMMON_SHARE * len(prints)))
    evidence = {
        s: {h for h in fp.lines if h not in excluded and counts[h] <= common_above}
        for s, fp in prints.items()
    }
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        shared = evidence[a] & evidence[b]
        smaller = min(len(evidence[a]), len(evidence[b]))
        if len(shared) < min_shared or not smaller:
            continue
        score = len(shared) / smaller
        if score >= share:
            pairs.append(
                CodePair(
                    a,
                    b,
                    round(score, 3),
                    len(shared),
                    _merge(prints[a].lines[h] for h in shared),
                    _merge(prints[b].lines[h] for h in shared),
                )
            )
    return pairs


def _merge(spans: Sequence[tuple[int, int]] | object) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):  # type: ignore[call-overload]
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def excerpt(code: str, spans: list[tuple[int, int]], limit: int = 40) -> str:
    """The lines of ``spans`` with their numbers, at most ``limit`` lines."""
    lines = code.splitlines()
    shown = [
        f"{n:4d}  {lines[n - 1]}" for first, last in spans for n in range(first, last + 1) if n <= len(lines)
    ]
    return "\n".join(shown[:limit] + (["   ..."] if len(shown) > limit else []))


@dataclass(frozen=True)
class TheoryPair:
    student_a: str
    student_b: str
    cosine: float


def theory_pairs(
    answers: dict[str, str], encode: Callable[[list[str]], np.ndarray], *, threshold: float = THEORY_COSINE
) -> list[TheoryPair]:
    """Near-identical answers to one question (student -> answer); ``encode`` returns unit vectors."""
    kept = {s: a for s, a in answers.items() if len(a.split()) >= THEORY_MIN_WORDS}
    if len(kept) < 2:
        return []
    students = sorted(kept)
    vectors = encode([kept[s] for s in students])
    cosines = vectors @ vectors.T
    return [
        TheoryPair(students[i], students[j], round(float(cosines[i, j]), 4))
        for i, j in itertools.combinations(range(len(students)), 2)
        if cosines[i, j] >= threshold
    ]


def class_flags(book: Gradebook, encode: Callable[[list[str]], np.ndarray] | None) -> list[SimilarityFlag]:
    """Every flagged pair of the gradebook's class; theory pairs need ``encode`` (None: code only)."""
    from graders.runner import practical_folder

    flags: list[SimilarityFlag] = []
    rows = [r for r in book.rows() if r.status == "graded" and r.source.strip()]
    for item in sorted({r.item for r in rows if r.kind == "practical"}):
        sources = {r.student_id: r.source for r in rows if r.item == item}
        template_file = practical_folder(item) / "template.py"
        template = template_file.read_text(encoding="utf-8") if template_file.is_file() else ""
        for pair in code_pairs(sources, template=template):
            flags.append(
                SimilarityFlag(
                    "practical",
                    item,
                    pair.student_a,
                    pair.student_b,
                    pair.score,
                    {
                        "shared_fingerprints": pair.shared,
                        "lines_a": excerpt(sources[pair.student_a], pair.lines_a),
                        "lines_b": excerpt(sources[pair.student_b], pair.lines_b),
                    },
                )
            )
    if encode is not None:
        for item in sorted({r.item for r in rows if r.kind == "theory"}):
            answers = {r.student_id: r.source for r in rows if r.item == item}
            for tp in theory_pairs(answers, encode):
                flags.append(
                    SimilarityFlag(
                        "theory",
                        item,
                        tp.student_a,
                        tp.student_b,
                        tp.cosine,
                        {
                            "answer_a": answers[tp.student_a],
                            "answer_b": answers[tp.student_b],
                        },
                    )
                )
    return flags


def update_similarity(book: Gradebook) -> list[SimilarityFlag]:
    """Recompute and store the class's similarity flags (loads the embedding model for theory)."""
    encode = None
    if any(r.kind == "theory" and r.status == "graded" for r in book.rows(kind="theory")):
        from graders.embedding import load_model

        model = load_model()

        def encode(texts: list[str]) -> np.ndarray:
            return np.asarray(model.encode(texts, normalize_embeddings=True, show_progress_bar=False))

    flags = class_flags(book, encode)
    book.set_similarity(flags)
    return flags
