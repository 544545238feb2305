"""Grade a whole class into a gradebook: discover, skip what is unchanged, grade the rest in parallel.

A class folder holds one folder per student (its name is the student id) with practical files
(``<practical id>.py`` / ``.ipynb``) and/or theory attempts exported by ``quiz export`` (``.json`` or
``.csv``). Inputs are read as forgivingly as they can be without guessing (see ``_practical_files``,
``read_attempt`` and ``_one_answer_each``), and every one that is not graded is reported. Work is
planned in the parent, run by an executor (in this process, a process pool, or a Dask cluster) and
committed by the parent as each task finishes, one transaction per task:

- a practical task grades one file with ``graders.runner.grade_submission`` (which isolates it);
- a theory task grades a chunk of answers with one ``ShortAnswerGrader.grade_many`` call, in a worker
  that keeps its loaded grader for the next chunk, so the model loads once per worker.

A student x item is skipped when the gradebook already holds it graded from the same content hash by
the same version (runner + check bundle, or package + calibration + answer model + question), so a rerun
after a kill grades only what was not committed. Whatever one task does, the others still run: failures are
stored as rows with status ``error`` (the grader failed: retried next run) or ``invalid`` (the input
is unusable: kept until the file changes). A student folder's unusable inputs are the ones the latest run
found there: an ``invalid`` row that no input stands for any more (its file removed, renamed or fixed) is
dropped (``Gradebook.forget_unusable``); no grade, grader failure or row with a review decision ever is.
What cannot be read (its permissions) is an unusable input too, in a row of its own that replaces no grade:
a practical file, an attempt, or a student folder, which is warned about and is none of the folders read
(what it holds is unknown, so none of the student's rows is dropped).

Files written from the gradebook (``Gradebook.outputs``: the gradebook itself, reports, feedback and
exports) are never read as a student's work, wherever they are written; nor are the outputs of the
commands that have no gradebook to note them in, ``quiz grade --json`` / ``--gradescope`` and
``quiz grade-answers``, nor the feedback and decided answers another gradebook wrote (``quiz report
--feedback-dir``, ``quiz review --export``), known by their content (``_command_output``). Each file
skipped so is in the ``Outcome`` (``tool_outputs``), and the ones known by their content are warned about
too: a student may have handed in such a file instead of an attempt, and would otherwise lose the work
without a word. Likewise every other file in a student folder that is neither a practical file nor a
theory attempt (a report as a PDF, work in a zip) is in the ``Outcome`` (``other_files``), and so is every
folder in a student folder that may hold work (``other_folders``): only the files at the top level of a
student folder are read, so work handed in as ``s1/lab3/spacy_ner.py`` is not graded. Hidden files, the
files an operating system leaves in folders (``_NOT_WORK``), hidden folders, caches and virtualenvs
(``practicals.submission.skipped_folder``), and the folders that hold nothing else (``_holds_work``) are
nobody's work, and skipped without a word.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.errors import InputError, QuizError, cannot_read, first_of
from graders.gradebook import Gradebook, Item, Kind, Row, report_from_dict
from graders.suggest import did_you_mean

if TYPE_CHECKING:
    from distributed import Client

    from graders.bank_schema import Bank

log = logging.getLogger(__name__)

# Files in a student folder that are never anyone's work, besides hidden (dot) ones: what Finder and Explorer
# leave in folders. Casefolded. (Folders nobody keeps work in: ``practicals.submission.skipped_folder``.)
_NOT_WORK = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
# How ``tool_outputs`` names the writer of the files that the gradebook noted as its own outputs.
THIS_GRADEBOOK = "this gradebook"

# The short-answer grading engine's modules: changing any of them changes every theory grade's version.
GRADER_SOURCES = (
    "short_answer.py",
    "signals.py",
    "textproc.py",
    "feedback.py",
    "embedding.py",
    "calibration.py",
    "answer_model.py",
)
THEORY_CHUNK = 64  # answers per grade_many call: large enough to batch the encoder, small enough to resume


@dataclass(frozen=True)
class Answer:
    student_id: str
    question_id: str
    text: str
    source_path: str
    where: str  # "attempt.csv row 3", "attempt.json record 2": for messages


@dataclass(frozen=True)
class PracticalTask:
    student_id: str
    practical: str
    path: str
    content_hash: str
    version: str


@dataclass(frozen=True)
class TheoryTask:
    bank: str  # path, loaded again in the worker
    calibration: str  # the calibration's JSON, so that workers grade with what the version names
    answers: tuple[tuple[Answer, str, str], ...]  # (answer, content hash, version)


@dataclass
class Plan:
    """What a run will grade; ``skipped`` counts student x items that are unchanged since last time.
    ``invalid`` holds the rows of unusable inputs that changed, ``unusable`` counts every input that is
    unusable now, changed or not, so that each run's summary says how many are still there. ``stale``
    are the (student, item) of the stored ``invalid`` rows of the student folders read that no input
    stands for any more (its file was removed, renamed or fixed)."""

    items: list[Item]
    practical_tasks: list[PracticalTask] = field(default_factory=list)
    theory_tasks: list[TheoryTask] = field(default_factory=list)
    invalid: list[Row] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    unusable: int = 0

    @property
    def total(self) -> int:
        """Units of progress: one per practical file, one per theory answer."""
        return len(self.practical_tasks) + sum(len(t.answers) for t in self.theory_tasks)


ToolOutput = tuple[Path, str]  # a file in a student folder and what wrote it (THIS_GRADEBOOK, or commands)


@dataclass(frozen=True)
class Outcome:
    """``errors``: the grader failed (retried next run); ``invalid``: inputs unusable now (``Status``);
    ``repeated``: questions a student answered differently more than once (``_one_answer_each``);
    ``tool_outputs``: the files in student folders not read because the tool wrote them,
    ``other_files`` those not read because they are neither a practical file nor a theory attempt, and
    ``other_folders`` the folders in student folders that may hold work, which are not read (``discover``)."""

    graded: int
    errors: int
    invalid: int
    skipped: int
    repeated: int
    tool_outputs: tuple[ToolOutput, ...] = ()
    other_files: tuple[Path, ...] = ()
    other_folders: tuple[Path, ...] = ()


Progress = Callable[[int, str], None]  # (units just finished, what) -> None


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


# --- discovery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Discovered:
    """What ``discover`` found in a class folder, before any file is read."""

    files: dict[str, dict[str, Path]]
    """Per student, the file to grade for each practical (``_practical_files``)."""
    attempts: dict[str, list[Path]]
    """Per student, the theory attempt files (``.json`` / ``.csv``), in name order."""
    invalid: list[Row]
    """``invalid`` rows for the code files that are not graded (``_practical_files``) and for the student
    folders that cannot be read."""
    students: list[str]
    """Every student folder read (not one that cannot be), by name, sorted."""
    tool_outputs: tuple[ToolOutput, ...]
    """The files skipped as the tool's own outputs, each with what wrote it."""
    other_files: tuple[Path, ...]
    """The files in student folders that are neither a practical file nor a theory attempt: not read."""
    other_folders: tuple[Path, ...]
    """The folders in student folders that may hold work (``_holds_work``): not read."""


def discover(root: Path, outputs: Collection[Path] = frozenset()) -> Discovered:
    """The files and folders in ``root``'s student folders, by what they are (``Discovered``). A file whose
    resolved path is in ``outputs`` (``Gradebook.outputs``) was written from the gradebook: it is no
    student's work, and skipped; so is the output of a command without a gradebook (``_command_output``),
    with a warning, since only its content tells it apart from an attempt that a student handed in. The
    files ``_not_work`` names, the folders ``skipped_folder`` names (hidden, caches, virtualenvs) and, in a
    student folder, the folders that hold no work (``_holds_work``: empty, or only such files and folders)
    are passed over without a word, as no student's folder or work. A student folder that cannot be read
    (listed, or searched) is an ``invalid`` row, with a warning; a class folder that cannot be, an error."""
    from practicals.submission import SUFFIXES, skipped_folder

    root = Path(root)
    try:  # Path.is_dir raises where the folder that holds it cannot be searched
        if not root.is_dir():
            raise InputError(
                f"class folder {root} does not exist", hint="pass a folder holding one folder per student"
            )
        found = [path.name for path, is_folder in _listing(root) if is_folder and not skipped_folder(path)]
    except OSError as exc:
        raise cannot_read(root, exc) from None
    files: dict[str, dict[str, Path]] = {}
    attempts: dict[str, list[Path]] = {}
    invalid: list[Row] = []
    skipped: list[ToolOutput] = []
    other: list[Path] = []
    folders: list[Path] = []
    students: list[str] = []
    for student in found:
        folder = root / student
        try:
            listing = _listing(folder)
        except OSError as exc:  # what it holds is unknown: not among the folders read, so that no row of
            # the student is forgotten (``plan``), and an unusable input of its own
            problem = cannot_read(folder, exc)
            log.warning("%s (the student's work in it is not graded)", problem.message)
            invalid.append(_invalid_row(student, f"folder:{student}", folder, str(problem)))
            continue
        students.append(student)
        code: list[Path] = []
        for path, is_folder in listing:
            if is_folder and _holds_work(path):
                # no command reads a practical from a folder inside the one it is given: the work in it
                # (s1/lab3/spacy_ner.py, s1/submission/) would be lost without a word
                log.info("ignoring %s (a folder: only the files directly in a student folder are read)", path)
                folders.append(path)
            elif not path.is_file() or _not_work(path):
                continue
            elif path.resolve() in outputs:
                log.info("ignoring %s (written from the gradebook: a report, feedback or export)", path)
                skipped.append((path, THIS_GRADEBOOK))
            elif path.suffix.lower() in SUFFIXES:
                code.append(path)
            elif path.suffix.lower() in (".json", ".csv"):
                if writer := _command_output(path):
                    log.warning("ignoring %s (written by %s, not a theory attempt)", path, writer)
                    skipped.append((path, writer))
                else:
                    attempts.setdefault(student, []).append(path)
            else:
                log.info("ignoring %s (neither a practical file nor a theory attempt)", path)
                other.append(path)
        chosen, rejected = _practical_files(code)
        if chosen:
            files[student] = chosen
        invalid += [
            _invalid_row(student, f"file:{p.name}", p, message, "practical") for p, message in rejected
        ]
    if not files and not attempts and not invalid:
        hint = "ROOT must hold one folder per student"
        if folders:  # the work is in folders inside them (s1/submission/): say so, or it looks like none
            inside = first_of([f"{path.relative_to(root)}{os.sep}" for path in folders], 3)
            hint += f", with the work directly in it: folders inside are not read ({inside})"
        raise InputError(f"no student submissions in {root}", hint=hint)
    return Discovered(files, attempts, invalid, students, tuple(skipped), tuple(other), tuple(folders))


def _listing(folder: Path) -> list[tuple[Path, bool]]:
    """Each path in ``folder``, sorted, and whether it is a folder. Raises OSError when ``folder`` cannot be
    listed, or searched (which telling a folder in it from a file needs)."""
    return [(path, path.is_dir()) for path in sorted(folder.iterdir())]


def _not_work(path: Path) -> bool:
    """Hidden files and the ones in ``_NOT_WORK``: no student hands them in, so they are neither read nor
    named as work that was not graded."""
    return path.name.startswith(".") or path.name.casefold() in _NOT_WORK


def _holds_work(folder: Path) -> bool:
    """Whether ``folder`` may hold someone's work: a file, at any depth, that ``_not_work`` does not name,
    in no folder that ``skipped_folder`` names (nor is ``folder`` one), or a folder that cannot be read. An
    empty folder holds none."""
    from practicals.submission import skipped_folder

    def unreadable(error: OSError) -> None:
        raise error

    if skipped_folder(folder):
        return False
    try:
        for here, dirs, files in os.walk(folder, onerror=unreadable):
            dirs[:] = [name for name in dirs if not skipped_folder(Path(here, name))]
            if not all(_not_work(Path(here, name)) for name in files):
                return True
    except OSError:  # whether it holds work is unknown: it may
        return True
    return False


def _command_output(path: Path) -> str | None:
    """The command(s) that wrote ``path``, quoted, if it is the output of one that noted it in no gradebook
    this run knows of (``Gradebook.outputs``): a practical's report (``quiz grade --json``, which
    ``report_from_dict`` reads back, or ``--gradescope``), graded answers (``quiz grade-answers``,
    ``answer_csv.is_graded``), the decided answers of another gradebook (``quiz review --export``,
    ``answer_csv.is_decided``), or the feedback of another gradebook (``quiz report --feedback-dir``: a
    feedback.json, ``report.is_student_feedback``, and a Gradescope results.json). None for any other
    file, which ``read_attempt`` reads (and reports when it is unusable)."""
    from graders.answer_csv import is_decided, is_graded
    from graders.report import is_student_feedback
    from graders.results import is_gradescope_results

    if path.suffix.lower() == ".csv":
        if is_graded(path):
            return "'quiz grade-answers'"
        return "'quiz review --export'" if is_decided(path) else None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if is_gradescope_results(data):
        return "'quiz grade --gradescope' or 'quiz report --feedback-dir'"
    if is_student_feedback(data):
        return "'quiz report --feedback-dir'"
    try:
        report_from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None
    return "'quiz grade --json'"


def _practical_files(paths: list[Path]) -> tuple[dict[str, Path], list[tuple[Path, str]]]:
    """Which of one student's code files is graded for which practical (``practical_files``, the rule
    ``quiz check`` follows too), and why each other one is not. No file is left out silently: it would
    cost the student the practical without a word, so each one that is not graded becomes an ``invalid``
    row that the report shows."""
    from practicals import PRACTICALS
    from practicals.submission import practical_files

    files = practical_files(paths)
    rejected: list[tuple[Path, str]] = []
    for path in files.other:
        problem = InputError(
            f"{path.name} is named after no practical{did_you_mean(path.stem, PRACTICALS)}",
            hint=f"name it <practical id>{path.suffix.lower()}, as 'quiz practicals list' shows the ids",
        )
        rejected.append((path, str(problem)))
    for practical, found in files.named.items():
        chosen = files.graded.get(practical)
        why = (
            f"{chosen.name} is graded"
            if chosen
            else f"{' and '.join(p.name for p in found)} could each be it"
        )
        for path in found:
            if path != chosen:
                problem = InputError(
                    f"{path.name} is not graded for {practical}: {why}",
                    hint=f"keep one file for it, named {practical}.py (or {practical}.ipynb)",
                )
                rejected.append((path, str(problem)))
    return files.graded, rejected


def read_attempt(path: Path, student_id: str, bank: Bank) -> tuple[list[Answer], list[Row]]:
    """Theory answers from an attempt exported by ``quiz export``, and an ``invalid`` row for each record
    that cannot be graded. The folder names the student. Raises InputError when the file is unusable.

    A CSV is read by ``quiz grade-answers``' reader, with its tolerance: an export is in its format (the
    README says so), and instructors re-save exports in spreadsheets (semicolons, byte-order mark,
    Windows-1252, "Question ID"). A JSON file is ``quiz export``'s: {"attempt": {...}, "records":
    [{"question_id", "answer", ...}]}. Question ids are matched as grade-answers matches them (case and
    spaces do not matter; an unknown id gets its did-you-mean), by ``answer_csv.item_for``."""
    from graders.answer_csv import item_for, read_answers
    from graders.short_answer import AdHocItem

    if path.suffix.lower() == ".json":
        found = [
            (f"record {number}", item_for({"question_id": qid}, bank, adhoc=False), text)
            for number, (qid, text) in enumerate(_json_records(path), 1)
        ]
    else:
        _, rows, problems = read_answers(path, bank)
        found = [(f"row {r.line}", r.item, r.answer) for r in rows]
        found += [(f"row {p.line}", p.message, "") for p in problems]
    answers: list[Answer] = []
    invalid: list[Row] = []
    for where, item, text in found:
        if isinstance(item, AdHocItem):
            item = "it brings its own question and reference answer: quiz batch grades the bank's questions"
        if isinstance(item, str):
            message = f"{path.name} {where}: {item}"
            invalid.append(_invalid_row(student_id, f"attempt:{path.name} {where}", path, message))
        else:
            answers.append(Answer(student_id, item.id, text, str(path), f"{path.name} {where}"))
    return answers, invalid


def _json_records(path: Path) -> list[tuple[str, str]]:
    """(question id, answer) of each record of a ``quiz export`` JSON file."""
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))["records"]
        return [(str(r["question_id"]), str(r.get("answer") or "")) for r in records]
    except OSError as exc:
        raise cannot_read(path, exc) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read the attempt ({exc})") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not an attempt exported by 'quiz export' ({type(exc).__name__}: {exc})"
        ) from None


def _one_answer_each(answers: list[Answer]) -> tuple[list[Answer], int]:
    """One answer per student and question where attempts repeat one (two attempt files, a question
    twice in one file, an attempt exported both as CSV and JSON).

    ``answers`` come oldest file first (by name when modified at the same moment), each file in its order,
    and the last answer wins: the one in the most recently modified file and, within a file, the last
    row. A blank answer (exports list the
    unanswered questions) loses to any other. A fixed rule keeps a rerun from regrading: grading every
    copy stored one over the other by chance, and each rerun regraded the other. When the answers differ
    (beyond white space) the student may have meant another one, so every run warns, naming them, and
    counts them: the answers kept, and how many of them were chosen among different answers."""
    by_question: dict[tuple[str, str], list[Answer]] = {}
    for answer in answers:
        by_question.setdefault((answer.student_id, answer.question_id), []).append(answer)
    kept: list[Answer] = []
    repeated = 0
    for (student, question), found in by_question.items():
        said = [a for a in found if a.text.strip()] or found
        kept.append(said[-1])
        if len({" ".join(a.text.split()) for a in said}) > 1:
            repeated += 1
            log.warning(
                "student %s answered %s differently in %s: grading the answer in %s (the last one in the most"
                " recently modified file)",
                student,
                question,
                ", ".join(a.where for a in said),
                said[-1].where,
            )
    return kept, repeated


def _invalid_row(student: str, item: str, path: Path, message: str, kind: Kind = "theory") -> Row:
    try:
        content = sha256(path.read_bytes() if path.is_file() else b"")
    except OSError:  # it cannot be read: a content hash that no content has, so the row changes once it can
        content = ""
    return Row(
        student,
        item,
        kind,
        "invalid",
        0.0,
        0.0,
        content,
        "input",
        {},
        error=message,
        source_path=str(path),
    )


# --- planning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """A class folder, read and checked, with the bank and calibration its theory answers are graded by."""

    files: dict[str, dict[str, Path]]
    answers: list[Answer]
    invalid: list[Row]
    students: list[str]  # every student folder read
    repeated: int = 0  # questions answered differently more than once (``_one_answer_each``)
    bank: Bank | None = None  # None when the folder holds no theory answers
    bank_path: str = ""  # the workers load the bank again from here
    calibration: str = ""  # its JSON
    answer_model: str = ""  # sha256 of the bank's answer model file, "" without one
    tool_outputs: tuple[ToolOutput, ...] = ()  # the files skipped as the tool's own outputs (``discover``)
    other_files: tuple[Path, ...] = ()  # neither a practical file nor a theory attempt (``discover``)
    other_folders: tuple[Path, ...] = ()  # the folders in student folders that may hold work, not read


def read_inputs(
    root: Path | str, *, bank: str | None = None, outputs: Collection[Path] = frozenset()
) -> Inputs:
    """Discover ``root`` (skipping ``outputs``, see ``discover``) and load what its theory answers need.
    Every mistake in the inputs (no such folder, no submissions, unknown or broken bank) raises here, so a
    caller can check them before it creates a gradebook."""
    from graders.answer_model import model_path
    from graders.bank import load_bank, resolve_bank_path
    from graders.calibration import calibration_for

    discovered = discover(Path(root), outputs)
    files, attempts, invalid = discovered.files, discovered.attempts, list(discovered.invalid)
    if not attempts:
        return Inputs(
            files,
            [],
            invalid,
            discovered.students,
            tool_outputs=discovered.tool_outputs,
            other_files=discovered.other_files,
            other_folders=discovered.other_folders,
        )
    bank_path = str(resolve_bank_path(bank))
    calibration = json.dumps(calibration_for(bank_path).to_json(), sort_keys=True)
    learned = model_path(bank_path)
    answer_model = sha256(learned.read_bytes()) if learned.is_file() else ""
    loaded = load_bank(bank_path)
    answers: list[Answer] = []
    for student, paths in attempts.items():
        for path in sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name)):  # oldest first
            try:
                found, problems = read_attempt(path, student, loaded)
            except InputError as exc:
                invalid.append(_invalid_row(student, f"attempt:{path.name}", path, str(exc)))
                continue
            answers += found
            invalid += problems
    kept, repeated = _one_answer_each(answers)
    return Inputs(
        files,
        kept,
        invalid,
        discovered.students,
        repeated,
        loaded,
        bank_path,
        calibration,
        answer_model,
        tool_outputs=discovered.tool_outputs,
        other_files=discovered.other_files,
        other_folders=discovered.other_folders,
    )


def plan(inputs: Inputs, book: Gradebook, *, chunk: int = THEORY_CHUNK, force: bool = False) -> Plan:
    """Everything in ``inputs`` that the gradebook does not already hold graded in the same version."""
    from graders.runner import available_practicals, bundle_hash, runner_version

    files, answers, invalid = inputs.files, inputs.answers, list(inputs.invalid)
    stored = book.fingerprints()
    done = {} if force else stored
    items: list[Item] = []
    result = Plan(items)

    def unchanged(student: str, item: str, content: str, version: str) -> bool:
        stored = done.get((student, item))
        return stored is not None and stored[:2] == (content, version) and stored[2] != "error"

    practicals = sorted({p for by_student in files.values() for p in by_student})
    known = set(available_practicals())
    versions = {p: f"{runner_version()}+{bundle_hash([p])}" for p in practicals if p in known}
    for position, practical in enumerate(practicals):
        if practical in known:
            items.append(Item(practical, "practical", practical, _max_points(practical), position, {}))
    for student, by_practical in sorted(files.items()):
        for practical, path in sorted(by_practical.items()):
            if practical not in known:
                invalid.append(
                    _invalid_row(
                        student, practical, path, f"practical {practical!r} has no checks yet", "practical"
                    )
                )
                continue
            try:
                content = sha256(path.read_bytes())
            except OSError as exc:  # a row of its own, as for a file that is not graded: a grade stays
                problem = str(cannot_read(path, exc))
                invalid.append(_invalid_row(student, f"file:{path.name}", path, problem, "practical"))
                continue
            if unchanged(student, practical, content, versions[practical]):
                result.skipped += 1
                result.unusable += done[(student, practical)][2] == "invalid"  # the runner rejected it
            else:
                result.practical_tasks.append(
                    PracticalTask(student, practical, str(path), content, versions[practical])
                )
    if (loaded := inputs.bank) is not None:
        grader_version = _grader_code() + inputs.calibration + inputs.answer_model
        questions = {q.id: q for q in loaded.questions}
        for position, q in enumerate(loaded.questions):
            items.append(
                Item(
                    q.id,
                    "theory",
                    q.prompt,
                    q.points,
                    position,
                    {
                        "prompt": q.prompt,
                        "model_answer": q.model_answer,
                        "topics": q.topics,
                        "rubric": [{"id": p.id, "text": p.text, "weight": p.weight} for p in q.rubric],
                    },
                )
            )
        todo: list[tuple[Answer, str, str]] = []
        for answer in answers:  # read_attempt matched each to a question of this bank
            content = sha256(answer.text)
            version = sha256(grader_version + questions[answer.question_id].model_dump_json())[:16]
            if unchanged(answer.student_id, answer.question_id, content, version):
                result.skipped += 1
            else:
                todo.append((answer, content, version))
        result.theory_tasks = [
            TheoryTask(inputs.bank_path, inputs.calibration, tuple(todo[i : i + chunk]))
            for i in range(0, len(todo), chunk)
        ]
    result.invalid = [r for r in invalid if not unchanged(r.student_id, r.item, r.content_hash, r.version)]
    result.skipped += len(invalid) - len(result.invalid)
    result.unusable += len(invalid)
    found = {(r.student_id, r.item) for r in invalid} | {(a.student_id, a.question_id) for a in answers}
    found |= {(student, practical) for student, by_practical in files.items() for practical in by_practical}
    read = set(inputs.students)
    result.stale = [
        key
        for key, (*_, status) in stored.items()
        if status == "invalid" and key[0] in read and key not in found
    ]
    return result


def _grader_code() -> str:
    """sha256 over the short-answer engine's source, so that a changed grader regrades (like the checks'
    bundle hash does for practicals); the package version alone does not change between commits."""
    folder = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in GRADER_SOURCES:
        source = folder / name
        if source.is_file():
            digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def _max_points(practical: str) -> float:
    from graders.runner import load_checks

    return float(sum(check.points for check in load_checks(practical)))


# --- tasks (run in a worker: this process, a pool process or a Dask worker) ----------------------

_graders: dict[tuple[str, str], Any] = {}  # (bank, calibration JSON) -> ShortAnswerGrader, for the next chunk


def grade_theory(task: TheoryTask) -> list[Row]:
    from graders.bank import load_bank
    from graders.calibration import Calibration
    from graders.short_answer import ShortAnswerGrader

    bank = load_bank(task.bank)
    key = (task.bank, task.calibration)
    if key not in _graders:
        calibration = Calibration.from_json(json.loads(task.calibration))
        _graders[key] = ShortAnswerGrader.load(calibration=calibration, bank=task.bank)
    grader = _graders[key]
    pairs = [(bank.question(a.question_id), a.text) for a, _, _ in task.answers]
    try:
        grades = grader.grade_many(pairs)
    except Exception as exc:  # noqa: BLE001 - a chunk the grader cannot grade becomes error rows
        log.exception("theory chunk failed")
        return [_error_row(a, content, version, exc) for a, content, version in task.answers]
    return [
        Row(
            a.student_id,
            a.question_id,
            "theory",
            "graded",
            g.points,
            g.max_points,
            content,
            version,
            g.to_dict(),
            needs_review=g.needs_review,
            source=a.text,
            source_path=a.source_path,
        )
        for (a, content, version), g in zip(task.answers, grades, strict=True)
    ]


def _error_row(a: Answer, content: str, version: str, exc: BaseException) -> Row:
    return Row(
        a.student_id,
        a.question_id,
        "theory",
        "error",
        0.0,
        0.0,
        content,
        version,
        {},
        error=f"{type(exc).__name__}: {exc}"[:1000],
        source=a.text,
        source_path=a.source_path,
    )


def grade_practical(task: PracticalTask) -> list[Row]:
    from graders.runner import grade_submission

    path = Path(task.path)
    source = _code(path)
    try:
        with _runner_named(path, task.practical) as graded:
            report = replace(grade_submission(graded, practicals=[task.practical]), submission=task.path)
    except QuizError as exc:
        return [
            Row(
                task.student_id,
                task.practical,
                "practical",
                "invalid",
                0.0,
                0.0,
                task.content_hash,
                task.version,
                {},
                error=str(exc),
                source=source,
                source_path=task.path,
            )
        ]
    except Exception as exc:  # noqa: BLE001 - the runner failing on one submission must not stop the class
        log.exception("grading %s failed", path)
        return [
            Row(
                task.student_id,
                task.practical,
                "practical",
                "error",
                0.0,
                0.0,
                task.content_hash,
                task.version,
                {},
                error=f"{type(exc).__name__}: {exc}"[:1000],
                source=source,
                source_path=task.path,
            )
        ]
    return [
        Row(
            task.student_id,
            task.practical,
            "practical",
            "graded",
            report.score,
            report.max_score,
            task.content_hash,
            task.version,
            report.to_dict(),
            source=source,
            source_path=task.path,
        )
    ]


@contextmanager
def _runner_named(path: Path, practical: str) -> Iterator[Path]:
    """``path``, or a copy of it named ``<practical>.py`` / ``.ipynb`` when its suffix is not in lower case
    (``spacy_ner.PY``): the runner takes only those suffixes, and discovery accepts the others."""
    from practicals.submission import SUFFIXES

    if path.suffix in SUFFIXES:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="quiz-batch-") as tmp:
        copy = Path(tmp) / f"{practical}{path.suffix.lower()}"
        shutil.copyfile(path, copy)
        yield copy


def _code(path: Path) -> str:
    """The submission's code (a notebook's code cells), kept for the similarity check."""
    from practicals.submission import SubmissionError, notebook_source

    if path.suffix.lower() == ".ipynb":
        try:
            return notebook_source(path)
        except SubmissionError:
            return ""
    return path.read_text(encoding="utf-8", errors="replace")


def _run(task: PracticalTask | TheoryTask) -> list[Row]:
    return grade_practical(task) if isinstance(task, PracticalTask) else grade_theory(task)


# --- executors ---------------------------------------------------------------------------------


def _tasks(p: Plan) -> list[PracticalTask | TheoryTask]:
    # Theory first: its chunks are quick, so a class's theory grades land early and the slow practicals
    # keep the workers busy until the end.
    return [*p.theory_tasks, *p.practical_tasks]


def _units(task: PracticalTask | TheoryTask) -> int:
    return 1 if isinstance(task, PracticalTask) else len(task.answers)


def _describe(task: PracticalTask | TheoryTask) -> str:
    if isinstance(task, PracticalTask):
        return f"{task.student_id}/{task.practical}"
    students = sorted({a.student_id for a, _, _ in task.answers})
    return f"theory of {students[0]}" + (f" .. {students[-1]}" if len(students) > 1 else "")


def _serial(
    tasks: Sequence[PracticalTask | TheoryTask],
) -> Iterator[tuple[PracticalTask | TheoryTask, list[Row]]]:
    for task in tasks:
        yield task, _run(task)


def _pool(
    tasks: Sequence[PracticalTask | TheoryTask], workers: int
) -> Iterator[tuple[PracticalTask | TheoryTask, list[Row]]]:
    # forkserver: workers start from a clean interpreter, never from a fork of a parent holding threads
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[list[Row]], PracticalTask | TheoryTask] = {
            pool.submit(_run, t): t for t in tasks
        }
        try:
            for future in as_completed(futures):
                yield futures[future], _collect(futures[future], future)
        finally:
            for future in futures:
                future.cancel()


def connect_scheduler(address: str) -> Client:
    """A client of the Dask scheduler at ``address``. Raises InputError when dask.distributed is not
    installed or the scheduler cannot be reached within Dask's connect timeout (the configuration
    ``distributed.comm.timeouts.connect``, 30 s by default), so that a caller can check the address
    before it creates a gradebook. The caller closes the client."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--scheduler needs dask.distributed", hint="pip install 'dask[distributed]'"
        ) from None
    try:
        return Client(address)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {address}: {exc}",
            hint="start it with 'dask scheduler' (or dask-jobqueue) and pass its tcp:// address",
        ) from None


def _dask(
    tasks: Sequence[PracticalTask | TheoryTask], scheduler: str | Client
) -> Iterator[tuple[PracticalTask | TheoryTask, list[Row]]]:
    """Run ``tasks`` on a Dask cluster: ``scheduler`` is its address or a client already connected to it
    (then the caller closes it)."""
    client = connect_scheduler(scheduler) if isinstance(scheduler, str) else scheduler
    from distributed import as_completed as dask_completed

    try:
        futures = {client.submit(_run, t, pure=False): t for t in tasks}
        for future in dask_completed(list(futures)):
            yield futures[future], _collect(futures[future], future)
    finally:
        if client is not scheduler:
            client.close()


def _collect(task: PracticalTask | TheoryTask, future: Any) -> list[Row]:
    """The task's rows, or error rows when the worker itself died (killed, out of memory)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - one lost worker must not stop the class
        log.warning("task %s failed in its worker: %s", _describe(task), exc)
        if isinstance(task, PracticalTask):
            return [
                Row(
                    task.student_id,
                    task.practical,
                    "practical",
                    "error",
                    0.0,
                    0.0,
                    task.content_hash,
                    task.version,
                    {},
                    error=f"worker failed: {type(exc).__name__}: {exc}"[:1000],
                    source_path=task.path,
                )
            ]
        return [_error_row(a, content, version, exc) for a, content, version in task.answers]


def run_batch(
    root: Path | str | Inputs,
    book: Gradebook,
    *,
    bank: str | None = None,
    workers: int = 1,
    scheduler: str | Client | None = None,
    chunk: int = THEORY_CHUNK,
    force: bool = False,
    on_plan: Callable[[Plan], None] | None = None,
    on_progress: Progress | None = None,
    similarity: bool = True,
) -> Outcome:
    """Grade ``root`` into ``book``; see the module docstring. ``on_progress`` hears of each finished task.

    ``root`` is a class folder, or its ``read_inputs`` (which already named the bank and skipped the
    gradebook's outputs: ``bank`` is then not used). ``scheduler`` is a Dask scheduler's address, or a
    ``connect_scheduler`` client (which stays open)."""
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    inputs = root if isinstance(root, Inputs) else read_inputs(root, bank=bank, outputs=book.outputs())
    work = plan(inputs, book, chunk=chunk, force=force)
    if on_plan is not None:
        on_plan(work)
    book.set_items(work.items)
    book.forget_unusable(work.stale)
    book.put(work.invalid)
    tasks = _tasks(work)
    if scheduler:
        results = _dask(tasks, scheduler)
    elif workers > 1 and len(tasks) > 1:
        results = _pool(tasks, min(workers, len(tasks)))
    else:
        results = _serial(tasks)
    statuses: Counter[str] = Counter()
    for task, rows in results:
        book.put(rows)  # one transaction per task: a kill keeps every task committed before it
        statuses.update(r.status for r in rows)
        if on_progress is not None:
            on_progress(_units(task), _describe(task))
    if similarity:
        from graders.similarity import update_similarity

        update_similarity(book)
    unusable = work.unusable + statuses["invalid"]
    return Outcome(
        statuses["graded"],
        statuses["error"],
        unusable,
        work.skipped,
        inputs.repeated,
        inputs.tool_outputs,
        inputs.other_files,
        inputs.other_folders,
    )
