"""Probes for text_augmentation: call the submission on fixed sentences and return what it produced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from practicals.check import CheckFailed, Observation, ProbeContext

PRACTICAL = "text_augmentation"
SEED_SENTENCE = "This is an example sentence."
SHOWN_TEXTS = [
    SEED_SENTENCE,
    "The quick brown fox jumps over the lazy dog.",
    "She bought a beautiful house near the old river.",
]
PUNCTUATED_TEXT = "Happy students (and their teachers) celebrate,  loudly!\nGreat news: exams end today."
# Multi-word lemmas abound here ("hot dog", "Canis familiaris", "make up"), so underscores would show.
UNDERSCORE_TEXT = "The dog made a hot meal for the old house."
_HIDDEN_TEXTS = [
    "Large cities offer excellent jobs, but small towns feel safe.",
    "Doctors recommend daily exercise and healthy food.",
    "Young children learn new languages quickly.",
]
# The only replaceable word of each is capitalised, so a replacement must be capitalised.
_CAPITALISED_ONLY = ["Doctors are here.", "Happy, he was.", "Music is what we have!"]
_NOTHING_REPLACEABLE = "It is what it is, and so are they."
_DATASET = (
    ["Cheap flights sell fast.", "The service was terrible!", "A quiet hotel near the beach."],
    ["pos", "neg", 7],
)


def _wordnet_ready() -> None:
    # The submission's `from nltk.corpus import wordnet` resolves on first use; make WordNet findable first.
    from graders.assets import ensure_wordnet

    ensure_wordnet()


def _replace(sub: Any, text: str, **kwargs: Any) -> str:
    result = sub.synonym_replace(text, **kwargs)
    if not isinstance(result, str):
        raise CheckFailed(f"`synonym_replace` must return a str, observed {type(result).__name__}")
    return result


def _runs(sub: Any, texts: list[str], ns: list[int], seeds: list[int]) -> list[dict[str, Any]]:
    """``synonym_replace`` on every text, n and seed: rows of {text, n, seed, output}."""
    _wordnet_ready()
    return [
        {"text": text, "n": n, "seed": seed, "output": _replace(sub, text, n=n, seed=seed)}
        for text in texts
        for n in ns
        for seed in seeds
    ]


def _seeds(ctx: ProbeContext, count: int) -> list[int]:
    return [ctx.seed * 101 + i for i in range(count)]


def probe_many_replacements(sub: Any, ctx: ProbeContext) -> Observation:
    """As many replacements as the submission will make, on the shown sentences."""
    return {"runs": _runs(sub, SHOWN_TEXTS, [10], _seeds(ctx, 3))}


def probe_punctuation(sub: Any, ctx: ProbeContext) -> Observation:
    return {"runs": _runs(sub, [PUNCTUATED_TEXT], [1, 3, 10], _seeds(ctx, 2))}


def probe_underscores(sub: Any, ctx: ProbeContext) -> Observation:
    return {"runs": _runs(sub, [SEED_SENTENCE, UNDERSCORE_TEXT], [10], _seeds(ctx, 6))}


def probe_counts(sub: Any, ctx: ProbeContext) -> Observation:
    """Replacements at n = 1 and 2 on the shown sentences (the seed's has two replaceable words)."""
    return {"runs": _runs(sub, SHOWN_TEXTS, [1, 2], _seeds(ctx, 3))}


def probe_hidden_counts(sub: Any, ctx: ProbeContext) -> Observation:
    runs = _runs(sub, _HIDDEN_TEXTS + _CAPITALISED_ONLY + [_NOTHING_REPLACEABLE], [1, 3], _seeds(ctx, 2))
    runs.append({"text": _HIDDEN_TEXTS[0], "n": 1, "seed": None, "output": _replace(sub, _HIDDEN_TEXTS[0])})
    return {"runs": runs}


def probe_capitalised(sub: Any, ctx: ProbeContext) -> Observation:
    return {"runs": _runs(sub, _CAPITALISED_ONLY + _HIDDEN_TEXTS[1:], [1, 5], _seeds(ctx, 2))}


def probe_same_seed(sub: Any, ctx: ProbeContext) -> Observation:
    _wordnet_ready()
    seed = ctx.seed + 5
    return {
        "pairs": [
            [_replace(sub, text, n=3, seed=seed), _replace(sub, text, n=3, seed=seed)]
            for text in SHOWN_TEXTS + [PUNCTUATED_TEXT]
        ]
    }


_CHILD = """
import json, sys
from pathlib import Path
from practicals.submission import load_module
module = load_module(Path(sys.argv[1]), sys.argv[2])
jobs = json.loads(Path(sys.argv[3]).read_text())
outputs = [module.synonym_replace(text, n=n, seed=seed) for text, n, seed in jobs]
Path(sys.argv[4]).write_text(json.dumps(outputs))
"""


def _in_fresh_process(file: str, jobs: list[list[Any]], hash_seed: int) -> list[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        jobs_file, out_file = Path(tmp) / "jobs.json", Path(tmp) / "out.json"
        jobs_file.write_text(json.dumps(jobs))
        env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, file, PRACTICAL, str(jobs_file), str(out_file)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired:
            raise CheckFailed("`synonym_replace` in a fresh process took more than 120 s") from None
        if proc.returncode != 0 or not out_file.exists():
            tail = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise CheckFailed(f"`synonym_replace` failed in a fresh process: {tail}")
        return json.loads(out_file.read_text())


def probe_fresh_process(sub: Any, ctx: ProbeContext) -> Observation:
    """The same calls here and in a fresh interpreter whose string hashes (and so set order) differ."""
    _wordnet_ready()
    jobs = [[text, 3, ctx.seed + i] for i, text in enumerate(_HIDDEN_TEXTS + SHOWN_TEXTS[1:])]
    here = [_replace(sub, text, n=n, seed=seed) for text, n, seed in jobs]
    file = str(Path(sub.module.__file__).resolve())
    hash_seed = 12 if os.environ.get("PYTHONHASHSEED") == "11" else 11
    return {"here": here, "fresh": _in_fresh_process(file, jobs, hash_seed)}


def _dataset(sub: Any, **kwargs: Any) -> dict[str, Any]:
    texts, labels = _DATASET
    result = sub.augment_dataset(list(texts), list(labels), **kwargs)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed("`augment_dataset` must return a tuple (texts, labels)")
    new_texts, new_labels = result
    if not isinstance(new_texts, (list, tuple)) or not all(isinstance(t, str) for t in new_texts):
        raise CheckFailed("`augment_dataset` must return the texts as a list of str")
    if not isinstance(new_labels, (list, tuple)):
        raise CheckFailed(f"`augment_dataset` must return the labels as a list, observed {type(new_labels)}")
    return {"texts": list(new_texts), "labels": list(new_labels)}


def probe_augment_dataset(sub: Any, ctx: ProbeContext) -> Observation:
    _wordnet_ready()
    texts, labels = _DATASET
    return {
        "texts": texts,
        "labels": labels,
        "results": {str(n_aug): _dataset(sub, n_aug=n_aug, seed=ctx.seed) for n_aug in (1, 3)},
    }


def probe_augment_dataset_seeded(sub: Any, ctx: ProbeContext) -> Observation:
    _wordnet_ready()
    return {
        "first": _dataset(sub, n_aug=2, seed=ctx.seed + 3),
        "second": _dataset(sub, n_aug=2, seed=ctx.seed + 3),
    }
