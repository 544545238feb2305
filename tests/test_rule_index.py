"""The attribute ruler's indexed matcher finds what spaCy's Matcher finds (real spaCy pipeline)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from graders.assets import spacy_pipeline_name
from graders.rule_index import IndexedMatcher, index_attribute_rules
from graders.textproc import load_nlp

pytestmark = pytest.mark.models

DATA = Path(__file__).parent / "data" / "grading"
# The ruler's exceptions: contractions, dialect forms, tokens split over two rules' tokens, spaces.
ODD = [
    "It ain't so, y'all; there's nothin' in the box.",
    "Y' all know it aint true, cause I'd've said so  and  they'd not.",
    "She's gonna say 'tis the attention, n't it?\n\nWhatever - it's 3.5x faster.",
]


def _texts() -> list[str]:
    texts = list(ODD)
    for path in [*sorted(DATA.glob("adversarial*.csv")), DATA / "right_answers.csv"]:
        with open(path, encoding="utf-8", newline="") as fh:
            texts += [row["answer"] for row in csv.DictReader(fh)]
    return texts


def test_indexed_rules_match_and_annotate_like_spacys_matcher() -> None:
    stock, indexed = (spacy.load(spacy_pipeline_name(), exclude=["ner"]) for _ in range(2))
    index_attribute_rules(indexed)
    ruler, stock_ruler = indexed.get_pipe("attribute_ruler"), stock.get_pipe("attribute_ruler")
    assert isinstance(ruler.matcher, IndexedMatcher)
    assert not isinstance(stock_ruler.matcher, IndexedMatcher)
    assert ruler.patterns == stock_ruler.patterns
    texts = _texts()
    # the ruler's input: the parse before it runs
    for doc in stock.pipe(texts, disable=["attribute_ruler", "lemmatizer"]):
        found = ruler.matcher(doc, allow_missing=True)
        assert found, doc.text
        assert sorted(found) == sorted(stock_ruler.matcher(doc, allow_missing=True)), doc.text

    def annotations(nlp: spacy.language.Language) -> list[list[tuple]]:
        return [[(t.pos_, str(t.morph), t.lemma_) for t in doc] for doc in nlp.pipe(texts)]

    assert annotations(indexed) == annotations(stock)


def test_what_the_index_cannot_read_goes_to_spacys_search() -> None:
    nlp = spacy.blank("en")
    rules = [
        ("0", [[{"LOWER": "very", "OP": "+"}, {"LOWER": "fast"}]]),
        ("1", [[{"LOWER": {"REGEX": "^a"}}]]),
    ]
    stock, indexed = Matcher(nlp.vocab), IndexedMatcher(nlp.vocab)
    for key, patterns in rules:
        stock.add(key, patterns)
        indexed.add(key, patterns)
    doc = nlp("An answer, very very fast")
    assert sorted(indexed(doc)) == sorted(stock(doc))
    assert len(indexed(doc)) == 4  # An, answer, very very fast, very fast
    spans = indexed(doc, as_spans=True)
    assert [span.text for span in spans] == [span.text for span in stock(doc, as_spans=True)]


def test_a_removed_rule_no_longer_matches() -> None:
    nlp = spacy.blank("en")
    indexed = IndexedMatcher(nlp.vocab)
    indexed.add("0", [[{"LOWER": "attention"}]])
    indexed.add("1", [[{"LOWER": "is"}]])
    doc = nlp("Attention is all")
    assert len(indexed(doc)) == 2
    indexed.remove("0")
    assert [(start, end) for _, start, end in indexed(doc)] == [(1, 2)]


def test_the_graders_pipeline_matches_through_the_index() -> None:
    assert isinstance(load_nlp().get_pipe("attribute_ruler").matcher, IndexedMatcher)
