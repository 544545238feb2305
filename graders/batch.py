"""Grade a whole class into a gradebook: discover, skip what is unchanged, grade the rest in parallel.

A class folder holds one folder per student (its name is the student id) with practical files
(``<practical id>.py`` / ``.ipynb``) and/or theory attempts exported by ``quiz export`` (``.json`` or
``.csv``). Work is planned in the parent, run by an executor (in this process, a process pool, or a
Dask cluster) and committed by the parent as each task finishes, one transaction per task:

- a practical task grades one file with ``graders.runner.grade_submission`` (which isolates it);
- a theory task grades a chunk of answers with one ``ShortAnswerGrader.grade_many`` call, in a worker
  that keeps its loaded grader for the next chunk, so the model loads once per worker.

A student x item is skipped when the gradebook already holds it graded from the same content hash by
the same version (runner + check bundle, or package + calibration + question), so a rerun after a
kill grades only what was not committed. Whatever one task does, the others still run: failures are
stored as rows with status ``error`` (the grader failed: retried next run) or ``invalid`` (the input
is unusable: kept until the file changes).
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.errors import InputError, QuizError
from graders.gradebook import Gradebook, Item, Kind, Row

if TYPE_CHECKING:
    from distributed import Client

    from graders.bank_schema import Bank

log = logging.getLogger(__name__)

# The short-answer grading engine's modules: changing any of them changes every theory grade's version.
GRADER_SOURCES = (
    "short_answer.py",
    "signals.py",
    "textproc.py",
    "feedback.py",
    "embedding.py",
    "calibration.py",
)
THEORY_CHUNK = 64  # answers per grade_many call: large enough to batch the encoder, small enough to resume


@dataclass(frozen=True)
class Answer:
    student_id: str
    question_id: str
    text: str
    source_path: str


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
    """What a run will grade; ``skipped`` counts student x items that are unchanged since last time."""

    items: list[Item]
    practical_tasks: list[PracticalTask] = field(default_factory=list)
    theory_tasks: list[TheoryTask] = field(default_factory=list)
    invalid: list[Row] = field(default_factory=list)
    skipped: int = 0

    @property
    def total(self) -> int:
        """Units of progress: one per practical file, one per theory answer."""
        return len(self.practical_tasks) + sum(len(t.answers) for t in self.theory_tasks)


@dataclass(frozen=True)
class Outcome:
    graded: int
    errors: int
    invalid: int
    skipped: int


Progress = Callable[[int, str], None]  # (units just finished, what) -> None


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


# --- discovery ---------------------------------------------------------------------------------


def discover(root: Path) -> tuple[dict[str, dict[str, Path]], list[Answer], list[Row]]:
    """Practical files per student, theory answers, and ``invalid`` rows for unreadable attempt files."""
    from practicals import PRACTICALS
    from practicals.submission import SUFFIXES

    root = Path(root)
    if not root.is_dir():
        raise InputError(
            f"class folder {root} does not exist", hint="pass a folder holding one folder per student"
        )
    files: dict[str, dict[str, Path]] = {}
    answers: list[Answer] = []
    invalid: list[Row] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        student = folder.name
        for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
            if path.suffix in SUFFIXES and path.stem in PRACTICALS:
                files.setdefault(student, {})[path.stem] = path
            elif path.suffix.lower() in (".json", ".csv"):
                try:
                    answers += read_attempt(path, student)
                except InputError as exc:
                    invalid.append(_invalid_row(student, f"attempt:{path.name}", path, str(exc)))
            else:
                log.info("ignoring %s (neither a practical file nor a theory attempt)", path)
    if not files and not answers and not invalid:
        raise InputError(f"no student submissions in {root}", hint="ROOT must hold one folder per student")
    return files, answers, invalid


def read_attempt(path: Path, student_id: str) -> list[Answer]:
    """Theory answers from a ``quiz export`` file: CSV (student_id, question_id, answer) or JSON
    ({"attempt": {...}, "records": [{"question_id", "answer", ...}]}). The folder names the student."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets save CSV with a byte-order mark
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the attempt ({exc})") from None
    if path.suffix.lower() == ".json":
        try:
            records = json.loads(text)["records"]
            pairs = [(str(r["question_id"]), str(r.get("answer") or "")) for r in records]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(
                f"{path}: not an attempt exported by 'quiz export' ({type(exc).__name__}: {exc})"
            ) from None
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))  # answers may span lines
        missing = {"question_id", "answer"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(
                f"{path}: missing column(s) {', '.join(sorted(missing))}",
                hint="export attempts with 'quiz export --out FILE.csv'",
            )
        pairs = [(row["question_id"], row["answer"] or "") for row in reader]
    return [Answer(student_id, qid, answer, str(path)) for qid, answer in pairs]


def _invalid_row(student: str, item: str, path: Path, message: str, kind: Kind = "theory") -> Row:
    content = path.read_bytes() if path.is_file() else b""
    return Row(
        student,
        item,
        kind,
        "invalid",
        0.0,
        0.0,
        sha256(content),
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
    bank: Bank | None = None  # None when the folder holds no theory answers
    bank_path: str = ""  # the workers load the bank again from here
    calibration: str = ""  # its JSON


def read_inputs(root: Path | str, *, bank: str | None = None) -> Inputs:
    """Discover ``root`` and load what its theory answers need. Every mistake in the inputs (no such
    folder, no submissions, unknown or broken bank) raises here, so a caller can check them before it
    creates a gradebook."""
    from graders.bank import load_bank, resolve_bank_path
    from graders.calibration import calibration_for

    files, answers, invalid = discover(Path(root))
    if not answers:
        return Inputs(files, answers, invalid)
    bank_path = str(resolve_bank_path(bank))
    calibration = json.dumps(calibration_for(bank_path).to_json(), sort_keys=True)
    return Inputs(files, answers, invalid, load_bank(bank_path), bank_path, calibration)


def plan(inputs: Inputs, book: Gradebook, *, chunk: int = THEORY_CHUNK, force: bool = False) -> Plan:
    """Everything in ``inputs`` that the gradebook does not already hold graded in the same version."""
    from graders.runner import available_practicals, bundle_hash, runner_version

    files, answers, invalid = inputs.files, inputs.answers, list(inputs.invalid)
    done = {} if force else book.fingerprints()
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
            content = sha256(path.read_bytes())
            if unchanged(student, practical, content, versions[practical]):
                result.skipped += 1
            else:
                result.practical_tasks.append(
                    PracticalTask(student, practical, str(path), content, versions[practical])
                )
    if (loaded := inputs.bank) is not None:
        grader_version = _grader_code() + inputs.calibration
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
        for answer in answers:
            question = questions.get(answer.question_id)
            if question is None:
                invalid.append(
                    Row(
                        answer.student_id,
                        answer.question_id,
                        "theory",
                        "invalid",
                        0.0,
                        0.0,
                        sha256(answer.text),
                        "input",
                        {},
                        error=f"question {answer.question_id!r} is not in bank {loaded.id!r}",
                        source=answer.text,
                        source_path=answer.source_path,
                    )
                )
                continue
            content = sha256(answer.text)
            version = sha256(grader_version + question.model_dump_json())[:16]
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
    from practicals.check import REGISTRY

    importlib.import_module(f"practicals.{practical}.checks")
    return float(sum(check.points for check in REGISTRY.get(practical, [])))


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
        report = grade_submission(path, practicals=[task.practical])
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


def _code(path: Path) -> str:
    """The submission's code (a notebook's code cells), kept for the similarity check."""
    from practicals.submission import SubmissionError, notebook_source

    if path.suffix == ".ipynb":
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

    ``root`` is a class folder, or its ``read_inputs`` (which already named the bank: ``bank`` is then
    not used). ``scheduler`` is a Dask scheduler's address, or a ``connect_scheduler`` client (which
    stays open)."""
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    inputs = root if isinstance(root, Inputs) else read_inputs(root, bank=bank)
    work = plan(inputs, book, chunk=chunk, force=force)
    if on_plan is not None:
        on_plan(work)
    book.set_items(work.items)
    book.put(work.invalid)
    tasks = _tasks(work)
    if scheduler:
        results = _dask(tasks, scheduler)
    elif workers > 1 and len(tasks) > 1:
        results = _pool(tasks, min(workers, len(tasks)))
    else:
        results = _serial(tasks)
    graded = errors = 0
    for task, rows in results:
        book.put(rows)  # one transaction per task: a kill keeps every task committed before it
        graded += sum(r.status == "graded" for r in rows)
        errors += sum(r.status != "graded" for r in rows)
        if on_progress is not None:
            on_progress(_units(task), _describe(task))
    if similarity:
        from graders.similarity import update_similarity

        update_similarity(book)
    return Outcome(graded, errors, len(work.invalid), work.skipped)
