"""Claims, entities and negation read from the parse (real spaCy pipeline): the reversal tests."""

from __future__ import annotations

import pytest

from graders.signals import conflicts
from graders.textproc import Sentence, analyse, load_nlp, merged

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def sentence():
    nlp = load_nlp()

    def parse(text: str) -> Sentence:
        return merged(analyse(nlp(text)))

    return parse


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        # the claims of two entities swapped, each side stated
        (
            "GPT-2 is bidirectional and sees both sides; BERT is unidirectional and reads left to right.",
            "BERT is bidirectional, while GPT-2 is unidirectional and reads left to right.",
        ),
        # roles swapped with other verbs than the point's
        (
            "The decoder reads the input sequence and builds a representation.",
            "The encoder processes the input sequence into a continuous representation.",
        ),
        # a pronoun subject takes the entity named before it
        (
            "You'd use BERT here, because it reads left to right.",
            "BERT is bidirectional: it reads the words on both sides.",
        ),
        ("Transformers process the words sequentially.", "Transformers process all the words in parallel."),
        ("GPT-2 does not generate one token at a time.", "GPT-2 generates one token at a time."),
    ],
)
def test_reversals_are_found(sentence, answer: str, point: str) -> None:
    assert conflicts(sentence(answer), sentence(point))


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        (
            "BERT reads both sides of a word, while GPT-2 only reads left to right.",
            "BERT is bidirectional, while GPT-2 is unidirectional and reads left to right.",
        ),
        # a negated word the point does not use ("not lower") does not negate the claim
        (
            "When the string is tightened, the pitch is higher, not lower.",
            "A tighter string gives a higher pitch.",
        ),
        # "encoder decoder models" names no single entity
        (
            "Encoder decoder models map an input sequence to a different output sequence.",
            "The encoder-decoder architecture maps an input sequence to an output sequence.",
        ),
        # a clause about another subject speaks of the sentence's entity
        (
            "The Transformer drops recurrence, so every position is handled at the same time.",
            "RNNs process a sequence sequentially, one step at a time.",
        ),
        ("Encoder handles the input, decoder generates the output.", "The decoder generates the output."),
    ],
)
def test_agreeing_answers_are_not_reversals(sentence, answer: str, point: str) -> None:
    assert conflicts(sentence(answer), sentence(point)) is None
