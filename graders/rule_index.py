"""The spaCy attribute ruler's rules, matched through a hash index instead of spaCy's ``Matcher``.

en_core_web_sm's ``attribute_ruler`` (its tag map, morphology rules and exceptions: 179 rules) runs a
``Matcher``, which tries every rule at every token: a third of the grader's parse time on theory_dev's
answers. Its rules test a token's fine-grained tag, lower-case form, dependency label and whitespace flag
for equality, with a few IN / NOT_IN / REGEX tests. ``index_attribute_rules`` gives the ruler an
``IndexedMatcher``: the rules that may start at a token are looked up by that token's values, and only
their other tests are run. The matches are the same (tests/test_rule_index.py compares them), so the ruler
sets the same attributes. A pipeline whose rules test anything else keeps spaCy's search.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

log = logging.getLogger(__name__)

# The token attributes a rule may test, in the order of a token's ``Values`` (``_Index.matches``).
ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_TYPES = {"TAG": str, "LOWER": str, "DEP": str, "IS_SPACE": bool}
Values = tuple[str, str, str, bool]
Check = Callable[[Values], bool]
Checks = tuple[tuple[Check, ...], ...]  # per token of a pattern, the tests it must pass


class UnsupportedRule(ValueError):
    """A rule tests something the index does not read (another attribute, an operator, a callback)."""


def index_attribute_rules(nlp: Language) -> None:
    """Give ``nlp``'s attribute ruler, if it has one, an ``IndexedMatcher`` with the same rules."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe("attribute_ruler")
    if isinstance(ruler.matcher, IndexedMatcher):
        return
    indexed = IndexedMatcher(nlp.vocab)
    for i in range(len(ruler.attrs)):  # the ruler's keys: "0", "1", ... in rule order
        on_match, patterns = ruler.matcher.get(str(i))
        indexed.add(str(i), patterns, on_match=on_match)
    ruler.matcher = indexed


class IndexedMatcher(Matcher):
    """A ``Matcher`` that finds matches of its equality-style rules through an index; anything it cannot
    index (and spans, alignments) goes to spaCy's search. Like ``allow_missing=True``, which the attribute
    ruler passes, the index does not complain about annotations a doc lacks: those tests just fail."""

    def __init__(self, vocab: Any) -> None:
        super().__init__(vocab)
        self._rules: list[tuple[str, list[list[dict[str, Any]]], bool]] = []
        self._index: _Index | None = None
        self._unsupported = False

    def add(self, key: str, patterns: list[list[dict[str, Any]]], **kwargs: Any) -> None:
        super().add(key, patterns, **kwargs)
        self._rules.append((key, patterns, kwargs.get("on_match") is not None))
        self._index = None
        self._unsupported = False

    def remove(self, key: str) -> None:
        super().remove(key)
        self._rules = [rule for rule in self._rules if rule[0] != key]
        self._index = None
        self._unsupported = False

    def __call__(self, doclike: Any, *, as_spans: bool = False, **kwargs: Any) -> Any:
        index = None if as_spans or kwargs.get("with_alignments") else self._indexed()
        if index is None or not isinstance(doclike, Doc):
            return super().__call__(doclike, as_spans=as_spans, **kwargs)
        return index.matches(doclike)

    def _indexed(self) -> _Index | None:
        if self._index is None and not self._unsupported:
            try:
                self._index = _Index(
                    [(self.vocab.strings[key], patterns, callback) for key, patterns, callback in self._rules]
                )
            except UnsupportedRule as exc:
                log.debug("attribute rules not indexed (%s): spaCy's matcher is used", exc)
                self._unsupported = True
        return self._index


class _Index:
    def __init__(self, rules: Sequence[tuple[int, list[list[dict[str, Any]]], bool]]) -> None:
        # By the attributes its first token tests and their values: the rules that may start at a token,
        # each with its match id and the tests of its following tokens.
        by_keys: dict[tuple[int, ...], dict[tuple, list[tuple[int, Checks]]]] = {}
        self.scanned: list[tuple[int, Checks]] = []  # tried at every token
        for match_id, patterns, callback in rules:
            if callback:
                raise UnsupportedRule("a rule has an on_match callback")
            for pattern in patterns:
                specs = [sorted((attr.upper(), value) for attr, value in spec.items()) for spec in pattern]
                checks = tuple(tuple(_check(attr, value) for attr, value in spec) for spec in specs)
                first = specs[0]
                if not first or any(isinstance(value, dict) and set(value) != {"IN"} for _, value in first):
                    self.scanned.append((match_id, checks))
                    continue
                keys = tuple(ATTRS.index(attr) for attr, _ in first)
                options = [value["IN"] if isinstance(value, dict) else [value] for _, value in first]
                for values in itertools.product(*options):
                    by_keys.setdefault(keys, {}).setdefault(values, []).append((match_id, checks[1:]))
        self.groups = [(_getter(keys), starts) for keys, starts in by_keys.items()]

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) of every rule match, as ``Matcher.__call__`` returns them."""
        values = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        found = []
        for start, token in enumerate(values):
            for get, starts in self.groups:
                for match_id, rest in starts.get(get(token), ()):
                    if _holds(values, start + 1, rest):
                        found.append((match_id, start, start + 1 + len(rest)))
            for match_id, checks in self.scanned:
                if _holds(values, start, checks):
                    found.append((match_id, start, start + len(checks)))
        return found


def _getter(keys: tuple[int, ...]) -> Callable[[Values], tuple]:
    if len(keys) == 1:
        (key,) = keys
        return lambda values: (values[key],)
    return itemgetter(*keys)


def _holds(values: list[Values], start: int, checks: Checks) -> bool:
    return start + len(checks) <= len(values) and all(
        check(values[start + offset]) for offset, spec in enumerate(checks) for check in spec
    )


def _check(attr: str, value: Any) -> Check:
    if attr not in _TYPES:
        raise UnsupportedRule(f"a rule tests {attr}")
    i, kind = ATTRS.index(attr), _TYPES[attr]
    if isinstance(value, kind):
        return lambda values: values[i] == value
    if not isinstance(value, dict) or len(value) != 1:
        raise UnsupportedRule(f"a rule tests {attr} against {value!r}")
    ((op, arg),) = value.items()
    if op in ("IN", "NOT_IN") and all(isinstance(v, kind) for v in arg):
        members = frozenset(arg)
        if op == "IN":
            return lambda values: values[i] in members
        return lambda values: values[i] not in members
    if op == "REGEX" and kind is str:
        regex = re.compile(arg)
        return lambda values: regex.search(values[i]) is not None
    raise UnsupportedRule(f"a rule tests {attr} with {op}")
