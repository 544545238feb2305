"""Fit the default bank's answer model (graders/answer_model.py) on the answers written and graded for it.

    .venv/bin/python scripts/train_answer_model.py

Reads tests/data/grading/adversarial*.csv and right_answers.csv and the bank's own example answers
(``graders.training.written_answers``; answers scored 0.5 or more count as right) and writes
bank/attention-transfer.answers.json. theory_dev.csv is never read: real students' answers stay for
calibrating and measuring. Deterministic; about a minute on 2 cores. Rerun it after editing a question's
prompt or model answer (the model skips a question edited since it was fitted) or adding graded answers;
benchmarks/grading_quality.py measures each answer set with a model fitted without it.
"""

from __future__ import annotations

import logging
from collections import Counter

from graders.answer_model import model_path
from graders.bank import load_bank
from graders.calibration import Calibration
from graders.embedding import load_model
from graders.short_answer import ShortAnswerGrader
from graders.textproc import load_nlp
from graders.training import fit_answer_model, written_answers


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    bank = load_bank()
    untrained = Calibration.untrained()
    grader = ShortAnswerGrader(load_model(), load_nlp(), untrained, untrained, questions=bank.questions)
    written = written_answers(bank)
    counts = Counter(written.sources)
    source = "written answers: " + ", ".join(f"{name} ({n})" for name, n in sorted(counts.items()))
    model = fit_answer_model(grader, bank, written, source=source)
    path = model_path()
    model.save(path)
    print(f"wrote {path}: {len(model.questions)} questions, {len(written.answers)} answers ({source})")


if __name__ == "__main__":
    main()
