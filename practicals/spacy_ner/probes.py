"""Probes for spacy_ner: run the submission's functions with the course's spaCy pipeline."""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterator
from typing import Any

import spacy

from practicals.check import CheckFailed, Observation, ProbeContext
from practicals.probing import describe

SEED_SENTENCE = "Apple is looking at buying U.K. startup for $1 billion"
SHOWN_TEXTS = [
    SEED_SENTENCE,
    "Angela Merkel met Emmanuel Macron in Berlin on Monday.",
    "Microsoft and Google opened offices in London and Paris.",
    "no entities here at all",
    "Tim Cook said Apple sold 3 million iPhones in China last year.",
]
RULER_TEXT = "The Zorblax was built by Quibble Corp, and the Zorblax sold well."
_REPEATS = [
    "Apple hired a manager from Google, then Apple moved to Texas.",
    "Toyota, Honda and Toyota again reported profits in Japan.",
    "Elon Musk bought Twitter for $44 billion in October 2022.",
    "",
    "Paris Hilton visited Paris, France.",
    "Toyota opened a factory in Texas.",
]
_SUBJECTS = ["Apple", "Google", "Barack Obama", "Amazon", "The United Nations", "Serena Williams", "Toyota"]
_PLACES = ["Paris", "Japan", "New York", "Brazil", "Germany", "London"]
_TIMES = ["on Monday", "in March 2021", "last year", "in 1999", "yesterday"]


def _pipeline() -> spacy.Language:
    from graders.assets import spacy_pipeline

    return spacy_pipeline()


def _rows(value: Any, function: str) -> list[list[Any]]:
    """The student's entity list as JSON rows, or a CheckFailed describing what came back."""
    if not isinstance(value, (list, tuple)):
        raise CheckFailed(f"`{function}` must return a list of tuples, observed {type(value).__name__}")
    rows = []
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 4:
            raise CheckFailed(
                f"`{function}` must return (text, label, start_char, end_char) tuples, "
                f"observed {describe(item)}"
            )
        text, label, start, end = item
        if not (isinstance(text, str) and isinstance(label, str)):
            raise CheckFailed(
                f"`{function}`: entity text and label must be str, "
                f"observed {describe(text)} and {describe(label)}"
            )
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
            raise CheckFailed(
                f"`{function}`: start_char and end_char must be int, "
                f"observed {describe(start)} and {describe(end)}"
            )
        rows.append([text, label, start, end])
    return rows


def _grouped(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise CheckFailed(f"`entities_by_label` must return a dict, observed {type(value).__name__}")
    grouped = {}
    for label, texts in value.items():
        if not isinstance(label, str) or not isinstance(texts, (list, tuple)):
            raise CheckFailed(
                "`entities_by_label` must map each label (str) to a list of entity texts, "
                f"observed {describe(label)}: {type(texts).__name__}"
            )
        grouped[label] = [str(text) for text in texts]
    return grouped


def _reference_groups(docs: Any) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for doc in docs:
        for ent in doc.ents:
            grouped.setdefault(ent.label_, []).append(ent.text)
    return grouped


def probe_seed_sentence(sub: Any, ctx: ProbeContext) -> Observation:
    return {"entities": _rows(sub.extract_entities(SEED_SENTENCE, nlp=_pipeline()), "extract_entities")}


def probe_offsets(sub: Any, ctx: ProbeContext) -> Observation:
    nlp = _pipeline()
    return {
        "texts": SHOWN_TEXTS,
        "entities": [_rows(sub.extract_entities(text, nlp=nlp), "extract_entities") for text in SHOWN_TEXTS],
    }


def probe_empty_text(sub: Any, ctx: ProbeContext) -> Observation:
    nlp = _pipeline()
    return {
        "empty": _rows(sub.extract_entities("", nlp=nlp), "extract_entities"),
        "blank": _rows(sub.extract_entities("   ", nlp=nlp), "extract_entities"),
    }


def probe_given_pipeline(sub: Any, ctx: ProbeContext) -> Observation:
    """A rule-based pipeline whose entities no statistical model would produce: only a function
    that really uses its ``nlp`` argument can find them."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "GADGET", "pattern": "Zorblax"},
            {"label": "ORG", "pattern": [{"LOWER": "quibble"}, {"LOWER": "corp"}]},
        ]
    )
    return {
        "single": _rows(sub.extract_entities(RULER_TEXT, nlp=nlp), "extract_entities"),
        "batch": _grouped(sub.entities_by_label([RULER_TEXT], nlp=nlp)),
    }


def probe_batch_matches_single(sub: Any, ctx: ProbeContext) -> Observation:
    nlp = _pipeline()
    return {
        "single": [_rows(sub.extract_entities(text, nlp=nlp), "extract_entities") for text in SHOWN_TEXTS],
        "batch": _grouped(sub.entities_by_label(SHOWN_TEXTS, nlp=nlp)),
    }


def probe_repeated_entities(sub: Any, ctx: ProbeContext) -> Observation:
    nlp = _pipeline()
    return {
        "batch": _grouped(sub.entities_by_label(list(_REPEATS), nlp=nlp)),
        "pipeline": _reference_groups(nlp.pipe(_REPEATS)),
    }


class _Counts:
    def __init__(self) -> None:
        self.calls = 0
        self.pipes = 0


def _counting(nlp: spacy.Language, counts: _Counts) -> spacy.Language:
    """A shallow copy of ``nlp`` (same components) that counts ``nlp(text)`` and ``nlp.pipe`` calls and
    is still a ``spacy.Language`` of the same class for code that checks it."""
    base = type(nlp)

    class Counting(base):  # type: ignore[misc, valid-type]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            counts.calls += 1
            return base.__call__(self, *args, **kwargs)

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            counts.pipes += 1
            return base.pipe(self, *args, **kwargs)

    Counting.__name__ = Counting.__qualname__ = base.__name__
    wrapped = copy.copy(nlp)
    wrapped.__class__ = Counting
    return wrapped


def _texts(count: int, seed: int) -> list[str]:
    return [
        f"{_SUBJECTS[(i + seed) % len(_SUBJECTS)]} opened an office in "
        f"{_PLACES[(i * 3 + seed) % len(_PLACES)]} {_TIMES[(i * 7 + seed) % len(_TIMES)]}."
        for i in range(count)
    ]


def probe_batch_uses_pipe(sub: Any, ctx: ProbeContext) -> Observation:
    counts = _Counts()
    texts = _texts(40, ctx.seed)
    _grouped(sub.entities_by_label(texts, nlp=_counting(_pipeline(), counts)))
    return {"texts": len(texts), "pipe_calls": counts.pipes, "call_calls": counts.calls}


@contextlib.contextmanager
def _counted_loads(nlp: spacy.Language) -> Iterator[list[str]]:
    """Count pipeline loads; every load returns the already-loaded ``nlp`` so that a submission
    that loads a model by another name still runs. ``spacy.load`` goes through ``spacy.util.load_model``."""
    loads: list[str] = []
    original = spacy.util.load_model

    def load_model(name: Any, *args: Any, **kwargs: Any) -> spacy.Language:
        loads.append(str(name))
        return nlp

    spacy.util.load_model = load_model
    try:
        yield loads
    finally:
        spacy.util.load_model = original


def probe_loads_once(sub: Any, ctx: ProbeContext) -> Observation:
    nlp = _pipeline()
    texts = _texts(6, ctx.seed)
    with _counted_loads(nlp) as loads:
        for text in texts:
            sub.extract_entities(text, nlp=nlp)
        sub.entities_by_label(texts, nlp=nlp)
        given = len(loads)
        for text in texts:
            sub.extract_entities(text)
        sub.entities_by_label(texts)
        sub.entities_by_label(texts)
        default = len(loads) - given
    return {"loads_with_nlp": given, "loads_without_nlp": default}


def probe_many_texts(sub: Any, ctx: ProbeContext) -> Observation:
    """Time ``entities_by_label`` on a few hundred texts against a plain ``nlp.pipe`` run measured
    here, so the budget follows the machine's current speed."""
    nlp = _pipeline()
    texts = _texts(300, ctx.seed)
    list(nlp.pipe(texts[:20]))  # warm-up
    start = time.perf_counter()
    expected = _reference_groups(nlp.pipe(texts))
    reference_seconds = time.perf_counter() - start
    start = time.perf_counter()
    observed = _grouped(sub.entities_by_label(texts, nlp=nlp))
    seconds = time.perf_counter() - start
    return {
        "texts": len(texts),
        "seconds": seconds,
        "reference_seconds": reference_seconds,
        "same_entities": observed == expected,
    }
