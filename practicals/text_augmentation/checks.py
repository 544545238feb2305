"""Reference checks for text_augmentation: run with
``pytest practicals/text_augmentation/checks.py --submission PATH``."""

from __future__ import annotations

from typing import Any

from practicals.check import CheckFailed, Observation, check, expect, expect_at_most, expect_equal, fail
from practicals.text_augmentation import probes
from practicals.text_augmentation.alignment import Change, align, is_replaceable, words


def _call(run: dict[str, Any], hidden: bool) -> str:
    if hidden:
        return f"`synonym_replace(<hidden text>, n={run['n']}, seed={run['seed']})`"
    return f"`synonym_replace({run['text']!r}, n={run['n']}, seed={run['seed']})`"


def _changes(run: dict[str, Any], *, hidden: bool = False) -> list[Change]:
    """The run's replacements, or a failure when the text around the words was altered."""
    changes = align(run["text"], run["output"])
    if changes is None:
        observed = "a changed text outside the words" if hidden else repr(run["output"])
        fail(
            f"{_call(run, hidden)}: spacing, punctuation and the other words must stay as they are",
            expected="only some words replaced",
            observed=observed,
        )
    return changes


def _show(change: Change, hidden: bool) -> str:
    return f"word {change.index + 1} replaced" if hidden else f"{change.original!r} -> {change.replacement!r}"


@check(points=3, probe=probes.probe_many_replacements, timeout=60)
def test_stop_words_untouched(obs: Observation) -> None:
    """Stop words (spaCy's STOP_WORDS) are never replaced."""
    for run in obs["runs"]:
        replaced = [c for c in _changes(run) if c.stop_word]
        expect(
            not replaced,
            f"{_call(run, False)}: stop words must stay",
            expected="no stop word replaced",
            observed=", ".join(_show(c, False) for c in replaced),
        )


@check(points=2, probe=probes.probe_punctuation, timeout=60)
def test_punctuation_and_spacing_untouched(obs: Observation) -> None:
    """Punctuation, spacing and line breaks around the words are kept exactly."""
    for run in obs["runs"]:
        _changes(run)


@check(points=1, probe=probes.probe_underscores, timeout=60)
def test_no_underscores(obs: Observation) -> None:
    """Multi-word WordNet lemmas never bring `_` into the text."""
    for run in obs["runs"]:
        expect(
            "_" not in run["output"],
            f"{_call(run, False)}: multi-word lemmas must become spaces or be skipped",
            expected="no '_' in the output",
            observed=repr(run["output"]),
        )


def _synonyms_only(runs: list[dict[str, Any]], hidden: bool) -> None:
    for run in runs:
        wrong = [c for c in _changes(run, hidden=hidden) if not c.synonym]
        expect(
            not wrong,
            f"{_call(run, hidden)}: each replacement must be a lemma of `wordnet.synsets(word)`",
            expected="WordNet synonyms only",
            observed=", ".join(_show(c, hidden) for c in wrong) + (" (not a synonym)" if hidden else ""),
        )


@check(points=3, probe=probes.probe_many_replacements, timeout=60)
def test_replacements_share_a_synset(obs: Observation) -> None:
    """Every replaced word is swapped for a lemma that shares a WordNet synset with it."""
    _synonyms_only(obs["runs"], hidden=False)


def _counts(runs: list[dict[str, Any]], hidden: bool) -> None:
    for run in runs:
        changes = _changes(run, hidden=hidden)
        expect_at_most(len(changes), run["n"], f"{_call(run, hidden)}: number of words replaced")
        if any(is_replaceable(word) for word in words(run["text"])):
            expect(
                any(change.real for change in changes),
                f"{_call(run, hidden)}: the text has replaceable words",
                expected="at least one word replaced",
                observed="the text unchanged",
            )


@check(points=2, probe=probes.probe_counts, timeout=60)
def test_replaces_between_one_and_n_words(obs: Observation) -> None:
    """At most `n` words change, and at least one when a word is replaceable."""
    _counts(obs["runs"], hidden=False)


@check(points=2, probe=probes.probe_hidden_counts, visibility="hidden", timeout=60)
def test_replacement_counts_on_other_texts(obs: Observation) -> None:
    """On other sentences (and default arguments): 1 to `n` synonyms, none when nothing is replaceable."""
    _counts(obs["runs"], hidden=True)
    _synonyms_only(obs["runs"], hidden=True)


@check(points=2, probe=probes.probe_capitalised, visibility="hidden", timeout=60)
def test_capitalisation_kept(obs: Observation) -> None:
    """A capitalised word gets a capitalised replacement."""
    for run in obs["runs"]:
        for change in _changes(run, hidden=True):
            expect(
                change.capitalisation_kept,
                f"{_call(run, True)}: word {change.index + 1} is capitalised",
                expected="a capitalised replacement",
                observed=f"a replacement starting with {change.replacement[:1]!r}",
            )


@check(points=2, probe=probes.probe_same_seed, timeout=60)
def test_same_seed_same_output(obs: Observation) -> None:
    """Two calls with the same seed give the same text."""
    for text, (first, second) in zip(
        probes.SHOWN_TEXTS + [probes.PUNCTUATED_TEXT], obs["pairs"], strict=True
    ):
        expect_equal(second, first, f"`synonym_replace({text!r}, n=3, seed=S)` called twice with the same S")


@check(points=2, probe=probes.probe_fresh_process, visibility="hidden", timeout=180)
def test_same_seed_in_a_fresh_process(obs: Observation) -> None:
    """The same seed gives the same text in a fresh interpreter (no iteration over unsorted sets)."""
    differ = sum(a != b for a, b in zip(obs["here"], obs["fresh"], strict=True))
    expect(
        differ == 0,
        "`synonym_replace(text, n=3, seed=S)` in a fresh Python process with another PYTHONHASHSEED",
        expected="the same outputs as in this process (iterate over lists or sorted sets, not sets)",
        observed=f"{differ} of {len(obs['fresh'])} outputs differ",
    )


def _source_order(count: int, n_aug: int, text_major: bool) -> list[int]:
    """Which original each augmented copy comes from: copies text by text, or round by round."""
    return [k // n_aug if text_major else k % count for k in range(count * n_aug)]


def _layout_problem(texts: list[str], labels: list, result: dict[str, Any], n_aug: int) -> str | None:
    """Why ``result`` is not originals-then-copies with aligned labels, or None when it is."""
    count = len(texts)
    if len(result["texts"]) != count * (n_aug + 1) or len(result["labels"]) != len(result["texts"]):
        return f"{len(result['texts'])} texts and {len(result['labels'])} labels"
    if result["texts"][:count] != texts or result["labels"][:count] != labels:
        return "the originals (with their labels) are not first, in their order"
    copies = list(zip(result["texts"][count:], result["labels"][count:], strict=True))
    problems = []
    for text_major in (True, False):
        for (copy, label), source in zip(copies, _source_order(count, n_aug, text_major), strict=True):
            changes = align(texts[source], copy)
            if changes is None or not all(c.synonym for c in changes):
                problems.append(f"{copy!r} is not a synonym-replaced copy of {texts[source]!r}")
                break
            if label != labels[source]:
                problems.append(f"{copy!r} has label {label!r}, its original {labels[source]!r}")
                break
        else:
            return None
    return problems[0]


@check(points=2, probe=probes.probe_augment_dataset, timeout=60)
def test_augment_dataset_layout(obs: Observation) -> None:
    """`augment_dataset` returns the originals first, then `n_aug` augmented copies each, labels aligned."""
    for n_aug, result in obs["results"].items():
        problem = _layout_problem(obs["texts"], obs["labels"], result, int(n_aug))
        if problem:
            raise CheckFailed(
                f"`augment_dataset(texts, labels, n_aug={n_aug})` on {len(obs['texts'])} texts: expected "
                f"the {len(obs['texts'])} originals, then {n_aug} synonym-replaced copies of each with its "
                f"label; observed {problem}"
            )


@check(points=1, probe=probes.probe_augment_dataset_seeded, visibility="hidden", timeout=60)
def test_augment_dataset_same_seed(obs: Observation) -> None:
    """`augment_dataset` with the same seed gives the same dataset."""
    expect_equal(
        obs["second"], obs["first"], "`augment_dataset(texts, labels, n_aug=2, seed=S)` called twice"
    )
