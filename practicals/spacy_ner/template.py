"""Practical 4: named entity recognition with spaCy.

Implement the two functions below. Keep their names and parameters: the checks call them.
"""

from __future__ import annotations

import spacy


def extract_entities(text: str, nlp: spacy.Language | None = None) -> list[tuple[str, str, int, int]]:
    """Return the named entities of ``text`` as ``(entity_text, label, start_char, end_char)`` tuples,
    in order of appearance, so that ``text[start_char:end_char] == entity_text``.

    Use ``nlp`` when it is given; otherwise use a pipeline that is loaded once and reused.
    An empty text has no entities: return ``[]``.
    """
    raise NotImplementedError("run the pipeline on `text` and collect doc.ents as (text, label, start, end)")


def entities_by_label(texts: list[str], nlp: spacy.Language | None = None) -> dict[str, list[str]]:
    """Process all ``texts`` in one batch with ``nlp.pipe`` and group the entity texts by label,
    e.g. ``{"ORG": ["Apple", "Google", "Apple"], "GPE": ["U.K."]}``.

    Keep duplicates, in order of appearance (text by text, left to right). Use ``nlp`` when given.
    """
    raise NotImplementedError("run nlp.pipe(texts) and append each entity's text to the list of its label")
