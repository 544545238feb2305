"""Reference checks for spacy_ner: run with ``pytest practicals/spacy_ner/checks.py --submission PATH``."""

from __future__ import annotations

from practicals.check import Observation, check, expect, expect_at_most, expect_equal, fail
from practicals.spacy_ner import probes

SEED_ENTITIES = [["Apple", "ORG"], ["U.K.", "GPE"], ["$1 billion", "MONEY"]]


def _grouped(rows_per_text: list[list[list]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for rows in rows_per_text:
        for text, label, _start, _end in rows:
            grouped.setdefault(label, []).append(text)
    return grouped


@check(points=3, probe=probes.probe_seed_sentence, timeout=60)
def test_seed_sentence_entities(obs: Observation) -> None:
    """The seed sentence gives Apple/ORG, U.K./GPE and $1 billion/MONEY, in this order."""
    observed = [[text, label] for text, label, _start, _end in obs["entities"]]
    expect_equal(observed, SEED_ENTITIES, f"`extract_entities({probes.SEED_SENTENCE!r})` (text, label) pairs")


@check(points=2, probe=probes.probe_offsets, timeout=60)
def test_offsets_slice_text(obs: Observation) -> None:
    """start_char/end_char slice each entity's text out of the input, entities in order of appearance."""
    for text, rows in zip(obs["texts"], obs["entities"], strict=True):
        for entity, _label, start, end in rows:
            expect(
                text[start:end] == entity,
                f"`extract_entities({text!r})`: text[start_char:end_char] must be the entity text",
                expected=repr(entity),
                observed=f"text[{start}:{end}] == {text[start:end]!r}",
            )
        starts = [start for _e, _l, start, _end in rows]
        expect_equal(
            starts, sorted(starts), f"`extract_entities({text!r})`: start_char of each entity in order"
        )


@check(points=1, probe=probes.probe_empty_text, timeout=60)
def test_empty_text(obs: Observation) -> None:
    """An empty (or blank) text gives an empty list."""
    expect_equal(obs["empty"], [], "`extract_entities('')`")
    expect_equal(obs["blank"], [], "`extract_entities('   ')`")


@check(points=2, probe=probes.probe_given_pipeline, timeout=60)
def test_uses_given_pipeline(obs: Observation) -> None:
    """Both functions use the pipeline passed as `nlp` (here a rule-based one with custom labels)."""
    expected = [["Zorblax", "GADGET"], ["Quibble Corp", "ORG"], ["Zorblax", "GADGET"]]
    observed = [[text, label] for text, label, _start, _end in obs["single"]]
    expect_equal(observed, expected, f"`extract_entities({probes.RULER_TEXT!r}, nlp=<entity ruler>)`")
    expect_equal(
        obs["batch"],
        {"GADGET": ["Zorblax", "Zorblax"], "ORG": ["Quibble Corp"]},
        f"`entities_by_label([{probes.RULER_TEXT!r}], nlp=<entity ruler>)`",
    )


@check(points=2, probe=probes.probe_batch_matches_single, timeout=60)
def test_batch_equals_per_text(obs: Observation) -> None:
    """`entities_by_label` equals the per-text `extract_entities` results grouped by label."""
    expect_equal(
        obs["batch"],
        _grouped(obs["single"]),
        "`entities_by_label(texts)` compared with `extract_entities` on each text, grouped by label",
    )


@check(points=2, probe=probes.probe_batch_uses_pipe, timeout=60)
def test_batch_uses_nlp_pipe(obs: Observation) -> None:
    """`entities_by_label` processes the texts in one batch with `nlp.pipe`, not `nlp(text)` per text."""
    expect(
        obs["pipe_calls"] >= 1 and obs["call_calls"] == 0,
        f"`entities_by_label` on {obs['texts']} texts: how the pipeline was run",
        expected="nlp.pipe(texts), no nlp(text) calls",
        observed=f"{obs['pipe_calls']} nlp.pipe call(s) and {obs['call_calls']} nlp(text) call(s)",
    )
    expect_at_most(
        obs["pipe_calls"],
        max(1, obs["texts"] // 4),
        f"`entities_by_label` on {obs['texts']} texts: nlp.pipe calls (one batch, not one per text)",
    )


@check(points=2, probe=probes.probe_repeated_entities, visibility="hidden", timeout=60)
def test_duplicates_kept_in_order(obs: Observation) -> None:
    """`entities_by_label` keeps repeated entities, in order of appearance."""
    for label, expected in obs["pipeline"].items():
        observed = obs["batch"].get(label, [])
        if observed != expected:
            fail(
                f"`entities_by_label` on texts that repeat entities: the {label} list",
                expected=f"{len(expected)} entity texts, repeats kept, in order of appearance",
                observed=f"{len(observed)} entity texts"
                + (" (same ones, other order)" if sorted(observed) == sorted(expected) else ""),
            )
    extra = sorted(set(obs["batch"]) - set(obs["pipeline"]))
    expect(
        not extra, "`entities_by_label`: labels", expected="only labels the pipeline found", observed=extra
    )


@check(points=2, probe=probes.probe_loads_once, visibility="hidden", timeout=60)
def test_loads_model_once(obs: Observation) -> None:
    """No pipeline is loaded when `nlp` is given, and at most once over many calls without it."""
    expect_equal(obs["loads_with_nlp"], 0, "pipelines loaded (spacy.load) by calls that pass `nlp`")
    expect_at_most(obs["loads_without_nlp"], 1, "pipelines loaded (spacy.load) over 15 calls without `nlp`")


@check(points=2, probe=probes.probe_many_texts, visibility="hidden", timeout=120)
def test_many_texts_fast(obs: Observation) -> None:
    """A few hundred texts take at most a few times as long as one `nlp.pipe` run over them."""
    expect(
        obs["same_entities"],
        f"`entities_by_label` on {obs['texts']} texts: the entities found",
        expected="the pipeline's entities",
        observed="different entities",
    )
    budget = 4 * obs["reference_seconds"] + 1.0
    expect_at_most(
        round(obs["seconds"], 2),
        round(budget, 2),
        f"seconds taken by `entities_by_label` on {obs['texts']} texts (4x one nlp.pipe run + 1 s)",
    )
