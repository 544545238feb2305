"""Train the answer verifier (graders/verifier.py) on SemEval-2013's training splits.

    .venv/bin/python scripts/train_verifier.py [--data ../shared/data] [--folds 5] [--epochs 2]
        [--split questions|answers|domains] [--weight CORPUS=N ...] [--swaps N]

Writes graders/data/verifier.safetensors, trained on all rows, and graders/data/verifier_oof.csv: for
each row, the logit of the adapter trained on the other folds' questions (the folds of
``training.question_folds``). The calibration fits (scripts/train_calibration.py) and the quality
benchmark read those out-of-fold logits instead of the shipped verifier's, which has seen every row.
``--split answers`` writes graders/data/verifier_oof_answers.csv instead, from folds that split each
question's answers (``training.answer_folds``): the benchmark's figure for unseen answers to seen
questions; ``--split domains`` writes graders/data/verifier_oof_domains.csv, from folds that hold out
whole SciEntsBank science modules (``training.domain_folds``): its figure for unseen domains. Neither
trains a shipped adapter.
Each epoch draws SciEntsBank's rows twice and Beetle's once (``CORPUS_WEIGHT``; ``--weight`` changes it):
SciEntsBank's many science modules, each with one reference answer, are what an unseen subject's answers
look like. Against drawing each row once, it lifted the verifier's out-of-fold accuracy on unseen domains
from 0.687 to 0.696 (SciEntsBank 0.619 to 0.636) and on unseen questions from 0.687 to 0.691; weighting
each question equally instead made it worse.
It also trains on right answers with a key word swapped for its WordNet antonym, labelled wrong
(``training.antonym_swaps``; 488 of SemEval's rows; ``--swaps N`` caps them per word and antonym, 0 for
none): the verifier had read "the shortest path" as answering "the longest path" as well as the right
answer did. With them, the verifier's out-of-fold accuracy moved from 0.691 to 0.694 on unseen questions
and from 0.696 to 0.695 on unseen domains (the blend's: 0.749 to 0.748, 0.740 to 0.741): no loss, while
the first-sentence proxy of theory_dev rose from 0.713 to 0.723. With both (SciEntsBank twice and the
swaps) against neither, on unseen answers to seen questions: the verifier 0.792 to 0.803 (SciEntsBank 0.779
to 0.801), the blend 0.781 to 0.782.
Tried and not used: SciEntsBank's second draw paired with a right student answer to the same question as
the reference (the peers of the training folds), so that the verifier sees the reference in many
wordings. On two unseen-domain folds the verifier alone rose (SciEntsBank 0.644 to 0.667, Beetle 0.750 to
0.758), the blend did not (0.746 to 0.744).
Deterministic on one machine (seeded). About 11 minutes per adapter on 2 cores: an hour with 5 folds.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from graders import verifier
from graders.embedding import load_model
from graders.textproc import load_nlp
from graders.training import (
    ANTONYM_SWAPS_PER_PAIR,
    OOF_FILES,
    SEMEVAL,
    answer_folds,
    antonym_swaps,
    domain_folds,
    question_folds,
    read_semeval,
    write_oof,
)

ROOT = Path(__file__).resolve().parents[1]
# fold assignment, what a fold's rows are to the adapter that scores them (the file: training.OOF_FILES)
SPLITS = {
    "questions": (question_folds, "unseen-question"),
    "answers": (answer_folds, "unseen-answer"),
    "domains": (domain_folds, "unseen-domain"),
}
# how many times an epoch draws each SemEval corpus's rows (its ``dataset`` column)
CORPUS_WEIGHT = {"scientsbank_2way": 2, "beetle_2way": 1}
log = logging.getLogger("train_verifier")


def _weight(text: str) -> tuple[str, int]:
    corpus, sep, times = text.partition("=")
    if not sep or not times.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected CORPUS=N with N a whole number")
    return corpus, int(times)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number (0 or more)")
    return int(text)


def _progress(label: str):
    start = time.monotonic()

    def report(step: int, steps: int) -> None:
        if step % 100 == 0 or step == steps:
            log.info("%s: step %d/%d, %.0f s", label, step, steps, time.monotonic() - start)

    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--folds", type=int, default=5, help="folds for the out-of-fold logits")
    parser.add_argument(
        "--split",
        choices=sorted(SPLITS),
        default="questions",
        help="fold by question (unseen questions; then the shipped adapter), by answer within questions, "
        "or by science module",
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--weight",
        type=_weight,
        action="append",
        default=[],
        metavar="CORPUS=N",
        help=f"draw a corpus's rows N times an epoch (default: {CORPUS_WEIGHT})",
    )
    parser.add_argument(
        "--swaps",
        type=_count,
        default=ANTONYM_SWAPS_PER_PAIR,
        metavar="N",
        help="add right answers with a key word swapped for its antonym, labelled wrong, at most N per word "
        f"and antonym (default: {ANTONYM_SWAPS_PER_PAIR}; 0: none)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "graders" / "data", help="folder to write to")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    model = load_model()
    items, answers, scores, groups = read_semeval(args.data / SEMEVAL)
    references = [item.references for item in items]
    weights = CORPUS_WEIGHT | dict(args.weight)
    corpora = [group.partition(":")[0] for group in groups]  # read_semeval's groups: "<dataset>:<question>"
    unknown = sorted(set(weights) - set(corpora))
    if unknown:
        parser.error(f"no SemEval corpus named {', '.join(unknown)}")
    times = np.array([weights[corpus] for corpus in corpora])
    swaps = antonym_swaps(load_nlp(), references, answers, scores, per_pair=args.swaps)
    log.info("%d right answers with a key word swapped for its antonym", sum(s is not None for s in swaps))

    def fit(rows: np.ndarray, label: str):
        """An adapter trained on ``rows``, each drawn as many times an epoch as its corpus's weight, and
        on their antonym swaps, labelled wrong."""
        drawn = np.repeat(rows, times[rows])
        swapped = [i for i in rows if swaps[i] is not None]
        return verifier.train(
            model,
            [references[i] for i in (*drawn, *swapped)],
            [*(answers[i] for i in drawn), *(swaps[i] for i in swapped)],
            np.concatenate([scores[drawn], np.zeros(len(swapped))]),
            epochs=args.epochs,
            progress=_progress(label),
        )

    folds_of, unseen = SPLITS[args.split]
    oof_file = OOF_FILES[args.split]
    fold = folds_of(groups, args.folds)
    oof = np.zeros(len(answers))
    for k in range(args.folds):
        test = np.flatnonzero(fold == k)
        state, meta = fit(np.flatnonzero(fold != k), f"fold {k + 1}/{args.folds}")
        path = args.out / f".verifier_fold{k}.safetensors"
        verifier.save(state, meta, path)  # scored as shipped: half precision, merged
        fold_verifier = verifier.Verifier.from_model(model, path)
        path.unlink()
        assert fold_verifier is not None
        # like the grader: the mean over the answer's references
        for i in test:
            oof[i] = fold_verifier.logits([(r, answers[i]) for r in references[i]]).mean()
        right = ((oof[test] >= 0) == (scores[test] >= 0.5)).mean()
        log.info("fold %d/%d: accuracy %.3f on %d %s rows", k + 1, args.folds, right, len(test), unseen)
    write_oof(args.out / oof_file, items, answers, oof)
    log.info(
        "out-of-fold accuracy %.3f; wrote %s", ((oof >= 0) == (scores >= 0.5)).mean(), args.out / oof_file
    )
    if args.split != "questions":
        return
    state, meta = fit(np.arange(len(answers)), "all rows")
    recipe = {"corpus_weight": json.dumps(weights), "antonym_swaps_per_pair": str(args.swaps)}
    verifier.save(state, meta | recipe, args.out / verifier.ADAPTER_FILE)
    log.info("wrote %s", args.out / verifier.ADAPTER_FILE)


if __name__ == "__main__":
    main()
