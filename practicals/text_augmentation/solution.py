"""Reference solution: synonym replacement with WordNet (NLTK), stop words from spaCy."""

from __future__ import annotations

import random
import re

from nltk.corpus import wordnet
from spacy.lang.en.stop_words import STOP_WORDS

from graders.assets import ensure_wordnet

ensure_wordnet()

# Apostrophes stay inside a word ("don't"), so such words are not alphabetic and are left alone.
WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def synonyms(word: str) -> list[str]:
    """WordNet lemmas sharing a synset with ``word`` that differ from it, multi-word lemmas with spaces.

    A list in WordNet's own order (not a set), so the choice below is the same in every process.
    """
    found: list[str] = []
    for synset in wordnet.synsets(word):
        for lemma in synset.lemmas():
            name = lemma.name().replace("_", " ")
            if name.lower() != word.lower() and name not in found:
                found.append(name)
    return found


def synonym_replace(text: str, n: int = 1, seed: int | None = None) -> str:
    """Replace up to ``n`` content words of ``text`` by WordNet synonyms; everything else stays as it is."""
    rng = random.Random(seed)
    candidates = []
    for match in WORD.finditer(text):
        word = match.group()
        if word.isalpha() and word.lower() not in STOP_WORDS:
            options = synonyms(word)
            if options:
                candidates.append((match, options))
    chosen = sorted(rng.sample(candidates, min(max(n, 0), len(candidates))), key=lambda c: c[0].start())
    pieces, end = [], 0
    for match, options in chosen:
        replacement = rng.choice(options)
        if match.group()[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        pieces += [text[end : match.start()], replacement]
        end = match.end()
    return "".join(pieces) + text[end:]


def augment_dataset(
    texts: list[str], labels: list, n_aug: int = 1, seed: int | None = None, n: int = 1
) -> tuple[list[str], list]:
    """The originals, then ``n_aug`` augmented copies of each text in turn, with their labels."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    rng = random.Random(seed)
    new_texts, new_labels = list(texts), list(labels)
    for text, label in zip(texts, labels, strict=True):
        for _ in range(n_aug):
            new_texts.append(synonym_replace(text, n=n, seed=rng.randrange(2**32)))
            new_labels.append(label)
    return new_texts, new_labels
