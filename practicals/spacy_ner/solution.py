"""Reference solution: named entity recognition with spaCy."""

from __future__ import annotations

import functools

import spacy


@functools.cache
def _default_nlp() -> spacy.Language:
    # Loaded on first use and kept: loading a pipeline costs far more than running it on a sentence.
    from graders.assets import spacy_pipeline

    return spacy_pipeline()


def extract_entities(text: str, nlp: spacy.Language | None = None) -> list[tuple[str, str, int, int]]:
    """The entities of ``text`` as (text, label, start_char, end_char), in order of appearance."""
    doc = (nlp or _default_nlp())(text)
    return [(ent.text, ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]


def entities_by_label(texts: list[str], nlp: spacy.Language | None = None) -> dict[str, list[str]]:
    """Entity texts grouped by label over all ``texts``, duplicates kept in order of appearance."""
    grouped: dict[str, list[str]] = {}
    for doc in (nlp or _default_nlp()).pipe(texts):
        for ent in doc.ents:
            grouped.setdefault(ent.label_, []).append(ent.text)
    return grouped
