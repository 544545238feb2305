"""Class reports from a gradebook: statistics, a self-contained HTML page, a CSV, per-student feedback.

Every score read here is the effective one (an instructor's override wins over the machine's, on the
answer it was made on: a decision on an answer that has since changed is listed in the HTML, never applied
to grades or feedback). The HTML needs no network: the CSS is inline and the plots are PNGs (matplotlib,
Agg) embedded as base64. All files are written atomically, and noted in the gradebook
(``Gradebook.record_outputs``) so that ``quiz batch`` never reads one back as a student's work.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import numpy as np

from graders.errors import cannot_read
from graders.gradebook import Gradebook, Item, Override, Row, SimilarityFlag, report_from_dict
from graders.results import atomic_write_text, gradescope_results, is_gradescope_results
from graders.results import write_csv as write_table

TEMPLATES = Path(__file__).resolve().parent / "report_templates"
EARLIER = "decided on an earlier answer"  # the answer changed after the decision, which no longer applies


@dataclass(frozen=True)
class QuestionStats:
    item: Item
    answered: int
    mean: float  # points
    difficulty: float  # facility: mean fraction of the points earned (1 = everyone full marks)
    discrimination: float | None  # point-biserial against the rest-of-test total; None without variance
    fractions: list[float]


@dataclass(frozen=True)
class CheckStats:
    practical: str
    name: str
    description: str
    visibility: str
    submitted: int
    passed: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.submitted if self.submitted else 0.0


@dataclass(frozen=True)
class ClassData:
    students: list[str]
    items: list[Item]
    points: dict[tuple[str, str], float]  # effective
    totals: dict[str, float]
    max_total: float
    questions: list[QuestionStats]
    checks: list[CheckStats]
    review: list[Row]
    overrides: dict[tuple[str, str], Override]
    earlier_overrides: list[Override]  # made on answers that have since changed: not applied
    similarity: list[SimilarityFlag]
    problems: list[Row]


def class_data(book: Gradebook) -> ClassData:
    students, items = book.students(), book.items()
    rows = book.rows()
    points = book.effective_points()
    matrix = (
        np.array([[points.get((s, it.item), 0.0) for it in items] for s in students])
        if students
        else np.zeros((0, len(items)))
    )
    totals = dict(zip(students, (round(float(t), 4) for t in matrix.sum(axis=1)), strict=True))
    answered = {(r.student_id, r.item) for r in rows if r.status == "graded" and r.source.strip()}
    questions = []
    for column, it in enumerate(items):
        if it.kind != "theory":
            continue
        scores = matrix[:, column]
        rest = matrix.sum(axis=1) - scores
        questions.append(
            QuestionStats(
                it,
                sum((s, it.item) in answered for s in students),
                round(float(scores.mean()), 4) if len(scores) else 0.0,
                round(float(scores.mean()) / it.max_points, 4) if len(scores) and it.max_points else 0.0,
                point_biserial(scores, rest),
                [float(v) / it.max_points for v in scores] if it.max_points else [],
            )
        )
    return ClassData(
        students,
        items,
        points,
        totals,
        float(sum(it.max_points for it in items)),
        questions,
        check_stats(rows),
        book.review_queue(),
        book.overrides(),
        book.earlier_overrides(),
        book.similarity(),
        [r for r in rows if r.status != "graded"],
    )


def point_biserial(item: np.ndarray, rest: np.ndarray) -> float | None:
    """Pearson correlation of an item's scores with the rest-of-test totals (the corrected item-total
    correlation; for a right/wrong item it is the point-biserial coefficient)."""
    if len(item) < 3 or np.std(item) == 0 or np.std(rest) == 0:
        return None
    return round(float(np.corrcoef(item, rest)[0, 1]), 3)


def check_stats(rows: list[Row]) -> list[CheckStats]:
    counts: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        if row.kind != "practical" or row.status != "graded":
            continue
        for check in row.result.get("checks", []):
            key = (check["practical"], check["name"])
            entry = counts.setdefault(key, [check["description"], check["visibility"], 0, 0])
            entry[2] += 1
            entry[3] += check["status"] == "passed"
    return [CheckStats(p, n, d, v, s, k) for (p, n), (d, v, s, k) in counts.items()]


# --- CSV and feedback ----------------------------------------------------------------------------


def write_csv(book: Gradebook, out: Path) -> None:
    """One row per student: student_id, one column per item (points), total."""
    data = class_data(book)
    header = ["student_id", *(it.item for it in data.items), "total"]
    rows = [
        [
            student,
            *(_num(data.points.get((student, it.item), 0.0)) for it in data.items),
            _num(data.totals[student]),
        ]
        for student in data.students
    ]
    write_table(Path(out), [header, *rows])
    book.record_outputs([Path(out)])


def _num(value: float) -> str:
    return f"{round(value, 4):g}"


def student_feedback(book: Gradebook, student: str) -> dict[str, Any]:
    """What one student is told: per item the effective points, and the grader's feedback."""
    overrides = book.overrides()
    items = {it.item: it for it in book.items()}
    entries = []
    for row in book.rows(student_id=student):
        override = overrides.get((student, row.item))
        entry: dict[str, Any] = {
            "item": row.item,
            "kind": row.kind,
            "status": row.status,
            "points": override.points if override else row.points,
            "max_points": row.max_points or (items[row.item].max_points if row.item in items else 0.0),
            "machine_points": row.points,
        }
        if override:
            entry["instructor"] = {"action": override.action, "comment": override.comment}
        if row.status != "graded":
            entry["error"] = row.error
        elif row.kind == "theory":
            grade = row.result
            entry.update(
                verdict=grade["verdict"],
                explanation=grade["explanation"],
                covered=[h["text"] for h in grade["rubric"] if h["covered"]],
                missed=[h["text"] for h in grade["rubric"] if not h["covered"]],
                misconception=grade["misconception"]["text"] if grade.get("misconception") else None,
            )
        else:
            entry["checks"] = [
                {k: c[k] for k in ("name", "description", "points", "max_points", "status", "message")}
                for c in row.result["checks"]
            ]
        entries.append(entry)
    total = round(sum(e["points"] for e in entries if e["status"] == "graded"), 4)
    return {"student_id": student, "total": total, "items": entries}


def gradescope_for(book: Gradebook, student: str) -> dict[str, Any]:
    """A Gradescope results.json for the student's theory answers and practicals together."""
    overrides = book.overrides()
    tests: list[dict[str, Any]] = []
    duration = 0.0
    for row in book.rows(student_id=student):
        override = overrides.get((student, row.item))
        if row.kind == "practical" and row.status == "graded":
            results = gradescope_results(report_from_dict(row.result))
            duration += results["execution_time"]
            tests += results["tests"]
            if override:
                tests.append(
                    _test(
                        f"{row.item}: instructor adjustment",
                        override.points - row.points,
                        0.0,
                        override.comment or override.action,
                    )
                )
        elif row.kind == "theory" and row.status == "graded":
            text = row.result["explanation"]
            if override and override.comment:
                text += f"\n\nInstructor: {override.comment}"
            tests.append(
                _test(f"{row.item}", override.points if override else row.points, row.max_points, text)
            )
        else:
            tests.append(_test(f"{row.item}", 0.0, row.max_points, f"not graded: {row.error}"))
    score = round(sum(t["score"] for t in tests), 4)
    return {
        "score": score,
        "execution_time": round(duration, 3),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _test(name: str, score: float, max_score: float, output: str) -> dict[str, Any]:
    return {
        "name": name,
        "score": round(score, 4),
        "max_score": max_score,
        "status": "passed" if max_score and score >= max_score else "failed",
        "output": output,
        "visibility": "visible",
    }


def feedback_files(book: Gradebook, folder: Path) -> dict[str, tuple[Path, Path]]:
    """Where ``write_feedback`` writes each student's feedback: ``<folder>/<student>/feedback.json`` and
    ``results.json`` (Gradescope)."""
    return {
        s: (Path(folder) / s / "feedback.json", Path(folder) / s / "results.json") for s in book.students()
    }


# what every item entry of a feedback.json holds (``student_feedback``), whichever gradebook wrote it
FEEDBACK_ENTRY_KEYS = frozenset({"item", "kind", "status", "points", "max_points", "machine_points"})


def is_student_feedback(data: Any) -> bool:
    """Whether JSON ``data`` is a student's feedback.json as ``student_feedback`` makes it, from any
    gradebook: an object of just a student id, a total and a list of item entries."""
    return (
        isinstance(data, dict)
        and data.keys() == {"student_id", "total", "items"}
        and isinstance(data["items"], list)
        and all(isinstance(e, dict) and FEEDBACK_ENTRY_KEYS <= e.keys() for e in data["items"])
    )


def feedback_in_the_way(book: Gradebook, folder: Path) -> tuple[list[Path], list[Path]]:
    """The files already where ``write_feedback`` writes that this gradebook did not write (it notes its
    own, ``Gradebook.outputs``): those known by their content as feedback of their kind (a feedback.json
    from another gradebook, a Gradescope results.json from another gradebook or ``quiz grade
    --gradescope``), which it may replace, and those that are not, which may be a student's own work (the
    feedback folder may be the class folder) and must not be replaced."""
    own = book.outputs()
    replaceable: list[Path] = []
    foreign: list[Path] = []
    for feedback, results in feedback_files(book, folder).values():
        for path, is_feedback in ((feedback, is_student_feedback), (results, is_gradescope_results)):
            try:
                there = path.exists() or path.is_symlink()
            except OSError as exc:  # a folder it is in cannot be searched: what is there is unknown
                raise cannot_read(path, exc) from None
            if not there or path.resolve() in own:
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError):  # a folder, unreadable, not UTF-8, not JSON
                data = None
            (replaceable if is_feedback(data) else foreign).append(path)
    return replaceable, foreign


def write_feedback(book: Gradebook, folder: Path) -> int:
    """Every student's ``feedback_files``."""
    files = feedback_files(book, folder)
    for student, (feedback, results) in files.items():
        atomic_write_text(feedback, json.dumps(student_feedback(book, student), indent=2) + "\n")
        atomic_write_text(results, json.dumps(gradescope_for(book, student), indent=2) + "\n")
    book.record_outputs([path for pair in files.values() for path in pair])
    return len(files)


# --- HTML ----------------------------------------------------------------------------------------


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _img(data: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _plots(data: ClassData) -> tuple[str, dict[str, str]]:
    """The class summary's plots (HTML: a sentence instead where no student has a graded item) and each
    theory question's histogram (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_question = {}
    for q in data.questions:
        fig, ax = plt.subplots(figsize=(2.4, 1.4))
        ax.hist(q.fractions, bins=[0, 0.2, 0.4, 0.6, 0.8, 1.0001], color="#6a9f58")
        ax.set_xticks([0, 0.5, 1])
        ax.tick_params(labelsize=7)
        per_question[q.item.item] = _png(fig)
    if not (data.students and data.items):
        return '<p class="none">Nothing to plot yet: no student has a graded item.</p>', per_question
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(list(data.totals.values()), bins=min(20, max(5, len(data.students) // 2)), color="#3b6ea8")
    ax.set_xlabel(f"total points (of {data.max_total:g})")
    ax.set_ylabel("students")
    totals_png = _png(fig)
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(data.items)), 3))
    fractions = [
        [data.points.get((s, it.item), 0.0) / it.max_points if it.max_points else 0.0 for s in data.students]
        for it in data.items
    ]
    ax.boxplot(fractions, tick_labels=[it.item for it in data.items])
    ax.set_ylabel("fraction of the points")
    ax.tick_params(axis="x", labelrotation=60)
    items_png = _png(fig)
    return f"{_img(totals_png, 'distribution of totals')} {_img(items_png, 'score per item')}", per_question


def _table(headers: list[str], rows: list[list[str]], css: str = "") -> str:
    if not rows:
        return '<p class="none">none</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_html(book: Gradebook) -> str:
    data = class_data(book)
    e = html.escape
    plots, per_question = _plots(data)
    values = list(data.totals.values()) or [0.0]
    summary = _table(
        ["students", "items", "max points", "mean", "median", "min", "max", "to review", "flags"],
        [
            [
                str(len(data.students)),
                str(len(data.items)),
                f"{data.max_total:g}",
                f"{np.mean(values):.2f}",
                f"{np.median(values):.2f}",
                f"{min(values):.2f}",
                f"{max(values):.2f}",
                str(len(data.review)),
                str(len(data.similarity)),
            ]
        ],
    )
    questions = _table(
        ["question", "answered", "mean", "difficulty", "discrimination", "grades"],
        [
            [
                f"<b>{e(q.item.item)}</b> {e(q.item.title[:90])}",
                str(q.answered),
                f"{q.mean:.2f} / {q.item.max_points:g}",
                f"{q.difficulty:.2f}",
                "n/a" if q.discrimination is None else f"{q.discrimination:.2f}",
                _img(per_question[q.item.item], f"grades of {q.item.item}"),
            ]
            for q in data.questions
        ],
        "questions",
    )
    checks = _table(
        ["practical", "check", "visibility", "passed", "pass rate"],
        [
            [
                e(c.practical),
                e(c.description or c.name),
                e(c.visibility),
                f"{c.passed} / {c.submitted}",
                f'<span class="bar" style="width:{round(60 * c.pass_rate)}px"></span> {c.pass_rate:.0%}',
            ]
            for c in data.checks
        ],
    )
    changed = {(o.student_id, o.item) for o in data.earlier_overrides}
    review = _table(
        ["student", "question", "proposed", "flags", "answer"],
        [
            [
                e(r.student_id),
                e(r.item),
                f"{r.points:g} / {r.max_points:g}",
                e(", ".join(_review_flags(r, changed))),
                e(r.source[:200]),
            ]
            for r in data.review
        ],
    )
    decisions = [(o, o.action) for o in data.overrides.values()]
    decisions += [(o, f"{o.action} ({EARLIER}; not applied)") for o in data.earlier_overrides]
    overrides = _table(
        ["student", "item", "decision", "points", "comment"],
        [
            [
                e(o.student_id),
                e(o.item),
                e(decision),
                f"{o.points:g}",
                e(o.comment),
            ]
            for o, decision in decisions
        ],
    )
    similarity = _table(
        ["kind", "item", "pair", "similarity", "evidence"],
        [
            [
                e(f.kind),
                e(f.item),
                f"{e(f.student_a)} &amp; {e(f.student_b)}",
                f"{f.score:.2f}",
                _evidence(f),
            ]
            for f in data.similarity
        ],
        "similarity",
    )
    students = _table(
        ["student", *(it.item for it in data.items), "total"],
        [
            [
                e(s),
                *(_num(data.points.get((s, it.item), 0.0)) for it in data.items),
                f"<b>{_num(data.totals[s])}</b>",
            ]
            for s in data.students
        ],
        "students",
    )
    problems = _table(
        ["student", "item", "status", "message"],
        [
            [
                e(r.student_id),
                e(r.item),
                e(r.status),
                e(r.error[:300]),
            ]
            for r in data.problems
        ],
    )
    template = Template((TEMPLATES / "report.html").read_text(encoding="utf-8"))
    return template.substitute(
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        title=e(f"Class report: {book.path.name}"),
        summary=summary,
        plots=plots,
        questions=questions,
        checks=checks,
        review=review,
        overrides=overrides,
        similarity=similarity,
        students=students,
        problems=problems,
    )


def _review_flags(row: Row, changed: set[tuple[str, str]]) -> list[str]:
    """The grader's flags, and whether an instructor decided on an earlier answer (why a confident grade
    can be back in the queue)."""
    flags = list(row.result.get("flags", []))
    if (row.student_id, row.item) in changed:
        flags.append(EARLIER)
    return flags


def _evidence(flag: SimilarityFlag) -> str:
    ev = flag.evidence
    if flag.kind == "theory":
        return (
            f'<div class="pair"><pre>{html.escape(ev["answer_a"])}</pre>'
            f"<pre>{html.escape(ev['answer_b'])}</pre></div>"
        )
    return (
        f"<p>{ev['shared_fingerprints']} shared fingerprints (template code excluded)</p>"
        f'<div class="pair"><pre>{html.escape(ev["lines_a"])}</pre>'
        f"<pre>{html.escape(ev['lines_b'])}</pre></div>"
    )


def write_html(book: Gradebook, out: Path) -> None:
    atomic_write_text(Path(out), render_html(book))
    book.record_outputs([Path(out)])
