"""Practical 7: text augmentation by synonym replacement with WordNet.

Implement the two functions below. Keep their names and parameters: the checks call them.
"""

from __future__ import annotations

import random  # noqa: F401 - random.Random(seed) gives a reproducible generator
import re  # noqa: F401 - re.finditer finds the words without losing the text between them

from nltk.corpus import wordnet  # noqa: F401 - wordnet.synsets(word) -> synsets; synset.lemmas() -> lemmas
from spacy.lang.en.stop_words import STOP_WORDS  # noqa: F401 - the stop words to leave alone

from graders.assets import ensure_wordnet

ensure_wordnet()  # makes `wordnet` work offline in your own runs (the checks do it themselves)


def synonym_replace(text: str, n: int = 1, seed: int | None = None) -> str:
    """Replace up to ``n`` content words of ``text`` by WordNet synonyms and return the new text.

    - A word is replaceable when it is alphabetic, not in STOP_WORDS (compare in lower case), and WordNet
      offers a synonym (a lemma of one of ``wordnet.synsets(word)``) that differs from it.
    - Replace at most ``n`` words, and at least one when any word is replaceable.
    - Use the lemma as WordNet spells it, but with ``_`` turned into spaces (or skip multi-word lemmas);
      capitalise it when the original word is capitalised.
    - Leave everything else (other words, spacing, punctuation) exactly as it is.
    - The same ``seed`` must give the same output, also in a new Python process: draw from
      ``random.Random(seed)`` over lists in a fixed order, never over an unsorted set.
    """
    raise NotImplementedError("pick up to n replaceable words and swap each for a WordNet synonym")


def augment_dataset(
    texts: list[str], labels: list, n_aug: int = 1, seed: int | None = None
) -> tuple[list[str], list]:
    """Return ``(new_texts, new_labels)``: the originals first, in order, then ``n_aug`` augmented copies
    of each text (made with ``synonym_replace``): the copies of ``texts[0]``, then those of ``texts[1]``, ...
    Each copy keeps the label of its original. The same ``seed`` gives the same result.
    """
    raise NotImplementedError(
        "return the originals, then n_aug synonym-replaced copies of each, labels aligned"
    )
