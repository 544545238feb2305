"""'Did you mean ...?' hints for names a user typed."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[\s_.-]+")
_NUMBER = re.compile(r"\d+")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` when exactly one choice is close to ``word``, else ``""``.

    Case, separators and leading zeros never matter (``q 02`` is ``Q2``); otherwise a choice is close
    when difflib's similarity reaches 0.6, or 0.5 for ids of two characters, where one wrong character
    already halves it (``W2`` is ``Q2``). When several choices are equally close (``Q`` against
    ``Q1``..``Q9``) the one sharing the longest start wins, and if that still ties nothing is said:
    a guess would mislead more than silence.
    """
    names = list(choices)
    key = _key(word)
    if not key:
        return ""
    keys = [_key(name) for name in names]
    if key in keys:
        return _hint(names[keys.index(key)])
    scored: list[tuple[float, int, str]] = []
    for name, other in zip(names, keys, strict=True):
        ratio = difflib.SequenceMatcher(None, key, other).ratio()
        if ratio >= (0.5 if max(len(key), len(other)) <= 2 else 0.6):
            scored.append((ratio, len(os.path.commonprefix([key, other])), name))
    if not scored:
        return ""
    best = max(score[:2] for score in scored)
    closest = [name for ratio, prefix, name in scored if (ratio, prefix) == best]
    return _hint(closest[0]) if len(closest) == 1 else ""


def _key(name: str) -> str:
    """The spelling that ignores case, spaces, ``-``/``_``/``.`` and leading zeros: ``Q 02`` -> ``q2``."""
    return _NUMBER.sub(lambda number: str(int(number.group())), _SEPARATORS.sub("", name.casefold()))


def _hint(name: str) -> str:
    return f" (did you mean {name!r}?)"
