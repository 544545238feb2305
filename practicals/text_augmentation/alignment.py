"""Judge-side analysis of an augmented text: which words of the original were replaced, and by what.

Used by the checks only (it runs in the trusted process). A replacement may contain spaces or
punctuation ("make up", "chocolate-brown"), so the output is matched to the original word by word with a
small dynamic programme: separators (everything between alphabetic words) must match exactly, and each
word either stays, becomes a WordNet synonym of it, or becomes anything else (an invalid replacement). The
reading with the fewest invalid replacements, then the fewest changes, is kept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

_WORD_SPLIT = re.compile(r"([A-Za-z]+)")


@dataclass(frozen=True)
class Change:
    """``original`` (the index-th word) became ``replacement``; ``synonym`` when the replacement is a lemma of
    one of the original's synsets (compared ignoring case, ``_`` or space)."""

    index: int
    original: str
    replacement: str
    synonym: bool

    @property
    def stop_word(self) -> bool:
        return self.original.lower() in STOP_WORDS

    @property
    def real(self) -> bool:
        """More than a change of case or of ``_`` to space: a different word."""
        return self.replacement.lower().replace("_", " ") != self.original.lower()

    @property
    def capitalisation_kept(self) -> bool:
        return not self.original[0].isupper() or self.replacement[:1].isupper()


@functools.cache
def _wordnet():  # type: ignore[no-untyped-def]
    from graders.assets import ensure_wordnet

    ensure_wordnet()
    from nltk.corpus import wordnet

    return wordnet


@functools.cache
def lemma_forms(word: str) -> frozenset[str]:
    """Lower-cased spellings of the lemmas of ``wordnet.synsets(word)``, with ``_`` and with spaces."""
    names = {lemma.name().lower() for synset in _wordnet().synsets(word) for lemma in synset.lemmas()}
    return frozenset(names | {name.replace("_", " ") for name in names})


def is_replaceable(word: str) -> bool:
    """Alphabetic, not a stop word, and WordNet offers a synonym that differs from it."""
    return (
        word.isalpha()
        and word.lower() not in STOP_WORDS
        and any(form.replace("_", " ") != word.lower() for form in lemma_forms(word))
    )


def words(text: str) -> list[str]:
    return _WORD_SPLIT.split(text)[1::2]


def align(original: str, output: str) -> list[Change] | None:
    """The replacements that turn ``original`` into ``output``, or None when text outside the words differs
    (punctuation, spacing, a dropped word)."""
    tokens = _WORD_SPLIT.split(original)  # separator, word, separator, ..., word, separator
    if not output.startswith(tokens[0]):
        return None
    count = len(tokens) // 2

    @functools.cache
    def best(k: int, p: int) -> tuple[int, int, tuple[Change, ...]] | None:
        """Best reading of words k.. placed at output position p: (invalid, changes, changes list)."""
        if k == count:
            return (0, 0, ()) if p == len(output) else None
        word, separator = tokens[2 * k + 1], tokens[2 * k + 2]
        last = k == count - 1
        options: list[tuple[int, int, Change | None, int]] = []
        for end in range(p + 1, len(output) + 1):
            if not output.startswith(separator, end) or (last and end + len(separator) != len(output)):
                continue
            piece = output[p:end]
            if piece == word:
                options.append((0, 0, None, end))
            else:
                synonym = piece.lower() in lemma_forms(word)
                options.append((0 if synonym else 1, 1, Change(k, word, piece, synonym), end))
        result = None
        for invalid, changed, change, end in options:
            rest = best(k + 1, end + len(separator))
            if rest is None:
                continue
            candidate = (
                invalid + rest[0],
                changed + rest[1],
                ((change,) if change else ()) + rest[2],
            )
            if result is None or candidate[:2] < result[:2]:
                result = candidate
        return result

    found = best(0, len(tokens[0]))
    return None if found is None else list(found[2])
