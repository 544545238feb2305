"""Helpers for probes: how a value the student's code returned is named in a message."""

from __future__ import annotations

import pytest
import spacy

from practicals.check import CheckFailed
from practicals.probing import describe
from practicals.spacy_ner.probes import _rows


def test_describe_names_the_type_of_a_value_that_is_not_plain_python() -> None:
    span = spacy.blank("en")("Apple is big")[0:1]
    assert describe(span) == "a spacy Span (Apple)"  # its repr alone reads like the str 'Apple'
    assert describe("Apple") == "'Apple'" and describe((1, "x")) == "(1, 'x')" and describe(None) == "None"
    assert describe(object()).startswith("an object (<object object at")
    with pytest.raises(CheckFailed, match=r"tuples, observed a spacy Span \(Apple\)$"):
        _rows([span], "extract_entities")
    with pytest.raises(CheckFailed, match=r"must be str, observed a spacy Span \(Apple\) and 'ORG'$"):
        _rows([(span, "ORG", 0, 5)], "extract_entities")
