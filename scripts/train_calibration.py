"""Refit the shipped calibrations (graders/data/*_calibration.json) from public data.

    .venv/bin/python scripts/train_calibration.py [--data ../shared/data] [--semeval-every K]

Step 1 fits the generic prior on SemEval-2013 (reference answer only, no rubric). Step 2 calibrates
it on all 120 answers of theory_dev.csv and the 60 graded examples of the module's bank (at half
weight; 20 questions, never one question alone) with the same fit that ``quiz calibrate`` runs: the
rubric calibration (default_calibration.json). Step 3 blends it for short reference answers with a
SemEval model that also reads the number of references and with the answer verifier, 0.5 placed on
SemEval (reference_calibration.json). Deterministic: same data, same files.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from graders.bank import load_bank
from graders.calibration import DEFAULT_FILE, REFERENCE_FILE, Calibration
from graders.embedding import load_model
from graders.short_answer import ShortAnswerGrader
from graders.textproc import load_nlp
from graders.training import (
    SEMEVAL,
    SEMEVAL_EVERY,
    THEORY_DEV,
    fit_on,
    fit_prior,
    fit_reference,
    grade_all,
    grade_examples,
    grade_semeval,
    read_theory_dev,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--semeval-every", type=int, default=SEMEVAL_EVERY, help="use every K-th SemEval row")
    parser.add_argument("--out", type=Path, default=ROOT / "graders" / "data", help="folder to write to")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    grader = ShortAnswerGrader(load_model(), load_nlp(), Calibration.untrained(), Calibration.untrained())
    semeval = grade_semeval(grader, args.data / SEMEVAL, args.semeval_every)
    bank = load_bank()
    dev = grade_all(grader, read_theory_dev(args.data / THEORY_DEV, bank))
    examples = grade_examples(grader, bank)
    prior = fit_prior(semeval)
    calibration = fit_on(
        dev + examples,
        prior,
        source=f"SemEval-2013 train ({len(semeval.scores)} rows) + theory_dev.csv ({len(dev.scores)} rows)"
        f" + bank examples ({len(examples.scores)} rows)",
    )
    reference = fit_reference(calibration, semeval)
    for name, fitted in ((REFERENCE_FILE, reference), (DEFAULT_FILE, calibration)):
        fitted.save(args.out / name)
        logging.info("wrote %s", args.out / name)


if __name__ == "__main__":
    main()
