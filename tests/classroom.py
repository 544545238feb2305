"""A synthetic class for the instructor tools: 30 students, theory attempts and practical files.

Theory: the 120 human-graded answers of theory_dev.csv (20 questions x 6), dealt so that each answer
goes to exactly one student and each student answers 4 questions; half the students export JSON
(``quiz export`` layout, all 20 questions, unanswered ones empty), half CSV. Student s30 copies s01's
answer to Q1 with a few words changed (the theory plagiarism pair).

Practicals (the fast ones, spaCy and WordNet): honest solutions written independently (each given to
one student), spacy_ner's reference solution, blank templates, a template with a syntax error,
text_augmentation's reference solution with a bug, and s05's copy of s04's code with renamed
variables, rewritten comments and reordered helpers (the code plagiarism pair).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from practicals import PRACTICALS_DIR

DATA = Path(__file__).resolve().parent / "data" / "class"
DEV = Path(__file__).resolve().parent / "data" / "course" / "theory_dev.csv"
STUDENTS = [f"s{i:02d}" for i in range(1, 31)]
THEORY_PAIR = ("s01", "s30", "Q1")
CODE_PAIR = ("s04", "s05", "spacy_ner")
BROKEN_ATTEMPT = "s29"


def dev_answers() -> list[dict[str, str]]:
    with DEV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _practicals() -> dict[str, dict[str, str]]:
    """student -> practical -> code."""

    def ref(practical: str, name: str) -> str:
        return (PRACTICALS_DIR / practical / name).read_text(encoding="utf-8")

    ner_template = ref("spacy_ner", "template.py")
    buggy = ref("text_augmentation", "solution.py").replace(
        "replacement = replacement[0].upper() + replacement[1:]", "replacement = replacement.lower()"
    )
    assert buggy != ref("text_augmentation", "solution.py")
    return {
        "s01": {
            "spacy_ner": ref("spacy_ner", "solution.py"),
            "text_augmentation": (DATA / "text_augmentation_t1.py").read_text(),
        },
        "s02": {"spacy_ner": (DATA / "spacy_ner_a.py").read_text()},
        "s03": {"spacy_ner": (DATA / "spacy_ner_b.py").read_text()},
        "s04": {"spacy_ner": (DATA / "spacy_ner_c.py").read_text()},
        "s05": {"spacy_ner": (DATA / "spacy_ner_c_copy.py").read_text()},
        "s06": {"spacy_ner": ner_template},
        "s07": {"spacy_ner": ner_template.replace("def extract_entities(", "def extract_entities((", 1)},
        "s08": {"spacy_ner": ner_template, "text_augmentation": ref("text_augmentation", "template.py")},
        # the reference solution with a bug (nobody submits the plain reference: that would be a true pair)
        "s09": {"text_augmentation": buggy},
    }


def theory_assignment() -> dict[str, list[dict[str, str]]]:
    """student -> their graded dev answers (question_id, answer, score)."""
    by_question: dict[str, list[dict[str, str]]] = {}
    for row in dev_answers():
        by_question.setdefault(row["question_id"], []).append(row)
    assigned: dict[str, list[dict[str, str]]] = {s: [] for s in STUDENTS}
    for q, question in enumerate(sorted(by_question, key=lambda qid: int(qid[1:]))):
        for j, row in enumerate(by_question[question]):
            assigned[STUDENTS[(q * 6 + j) % 30]].append(row)
    a, b, qid = THEORY_PAIR
    original = next(r["answer"] for r in assigned[a] if r["question_id"] == qid)
    copied = (
        original.replace("huge amounts of", "large amounts of")
        .replace("For a real task", "For a given task")
        .replace("Google built it", "Google made it")
    )
    assert copied != original
    assigned[b].append({"question_id": qid, "answer": copied, "score": ""})
    return assigned


def build_class(
    root: Path, *, students: list[str] | None = None, question_ids: list[str] | None = None
) -> Path:
    """Write the class under ``root`` (optionally only some students); returns ``root``."""
    code = _practicals()
    theory = theory_assignment()
    all_questions = [f"Q{i}" for i in range(1, 21)]
    for index, student in enumerate(students or STUDENTS):
        folder = root / student
        folder.mkdir(parents=True, exist_ok=True)
        for practical, source in code.get(student, {}).items():
            (folder / f"{practical}.py").write_text(source, encoding="utf-8")
        answers = {r["question_id"]: r["answer"] for r in theory[student]}
        if question_ids is not None:
            answers = {q: a for q, a in answers.items() if q in question_ids}
        if index % 2 == 0:
            records = [
                {
                    "student_id": student,
                    "question_id": q,
                    "answer": answers.get(q, ""),
                    "status": "submitted" if q in answers else "unanswered",
                    "grade": None,
                }
                for q in (question_ids or all_questions)
            ]
            attempt = {
                "id": index + 1,
                "student_id": student,
                "bank_id": "attention-transfer",
                "mode": "exam",
            }
            (folder / "attempt.json").write_text(
                json.dumps({"attempt": attempt, "records": records}, indent=1)
            )
        else:
            with (folder / "attempt.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["student_id", "question_id", "answer"])
                writer.writerows([student, q, a] for q, a in answers.items())
        if student == BROKEN_ATTEMPT:
            (folder / "old-attempt.json").write_text('{"records": [{"question_id": ', encoding="utf-8")
    return root
