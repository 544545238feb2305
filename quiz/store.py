"""Quiz attempts and answer drafts, persisted in SQLite so that nothing a student typed is lost.

Every write is its own committed transaction in WAL mode with ``synchronous=NORMAL``: a committed
transaction is in the WAL file as soon as the commit returns, so a process killed with SIGKILL (or a
terminal closed) at any moment keeps everything committed before it; only a power cut can lose the
last commits, and it costs no fsync on the UI thread per saved keystroke. The TUI commits drafts at
most half a second after a keystroke, plus on every navigation, submit and quit.

The store is headless (no textual import) so that ``quiz export`` and tests can use it directly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from graders.errors import InputError, cannot_read
from graders.grade import Grade
from graders.results import atomic_write_text, write_csv

DATA_DIR_ENV = "QUIZ_DATA_DIR"
DB_NAME = "attempts.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id TEXT NOT NULL,
    bank_id TEXT NOT NULL,
    bank_title TEXT NOT NULL,
    mode TEXT NOT NULL,
    question_order TEXT NOT NULL,
    seed INTEGER,
    time_limit_s REAL,
    started_at REAL NOT NULL,
    deadline REAL,
    finished_at REAL,
    current INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS attempts_by_student ON attempts (student_id, bank_id, finished_at);
CREATE TABLE IF NOT EXISTS answers (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    draft TEXT NOT NULL DEFAULT '',
    draft_saved_at REAL,
    submitted TEXT,
    submitted_at REAL,
    grade TEXT,
    PRIMARY KEY (attempt_id, question_id)
);
"""


class Mode(StrEnum):
    PRACTICE = "practice"
    EXAM = "exam"


class Status(StrEnum):
    UNANSWERED = "unanswered"
    DRAFT = "draft"
    SUBMITTED = "submitted"


@dataclass
class Answer:
    """One question's answer in an attempt: the text being edited and the last submitted text."""

    question_id: str
    draft: str = ""
    submitted: str | None = None
    grade: Grade | None = None

    @property
    def status(self) -> Status:
        if self.submitted is not None:
            return Status.SUBMITTED
        return Status.DRAFT if self.draft.strip() else Status.UNANSWERED

    @property
    def revised(self) -> bool:
        """Edited since the last submit (the feedback shown is for an older text)."""
        return self.submitted is not None and self.draft != self.submitted

    @property
    def pending(self) -> bool:
        """Holds text that was never submitted in this form (finishing the attempt submits it)."""
        return bool(self.draft.strip()) and self.draft != self.submitted

    @property
    def final_text(self) -> str:
        """What counts as the answer: the submitted text, else the draft."""
        return self.submitted if self.submitted is not None else self.draft


@dataclass
class Attempt:
    id: int
    student_id: str
    bank_id: str
    bank_title: str
    mode: Mode
    order: list[str]
    seed: int | None
    time_limit_s: float | None
    started_at: float
    deadline: float | None
    finished_at: float | None
    current: int
    answers: dict[str, Answer] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def answer(self, question_id: str) -> Answer:
        return self.answers.setdefault(question_id, Answer(question_id))

    def count(self, status: Status) -> int:
        return sum(self.answer(qid).status is status for qid in self.order)


def default_data_dir() -> Path:
    """``$QUIZ_DATA_DIR`` when set, else the platform's user data dir for attention-quiz."""
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("attention-quiz"))


class Store:
    """All reads and writes of attempts. One connection, used from the thread that opened it."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit, each statement below is durable once it returns
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path | str | None = None, *, create: bool = True) -> Store:
        """The store in ``data_dir``; with ``create=False`` (to read attempts) one that exists: a store
        that is not there is an ``InputError``, and no file or folder is created."""
        directory = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        try:  # Path.is_file raises where the folder cannot be searched
            found = (directory / DB_NAME).is_file()
        except OSError as exc:
            raise cannot_read(directory, exc) from None
        if not create and not found:
            raise InputError(
                f"no quiz attempts in {directory}: {DB_NAME} does not exist",
                hint=f"take the quiz first ('quiz take'), or give its folder: --data-dir or ${DATA_DIR_ENV}",
            )
        try:
            return cls(directory / DB_NAME)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(
                f"cannot open the quiz store in {directory}: {exc}",
                hint=f"pass a writable folder with --data-dir or ${DATA_DIR_ENV}",
            ) from exc

    def close(self) -> None:
        self._db.close()

    # --- attempts -------------------------------------------------------------------------------

    def create_attempt(
        self,
        *,
        student_id: str,
        bank_id: str,
        bank_title: str,
        mode: Mode,
        order: list[str],
        seed: int | None = None,
        time_limit_s: float | None = None,
    ) -> Attempt:
        now = self._clock()
        deadline = now + time_limit_s if time_limit_s else None
        cursor = self._db.execute(
            "INSERT INTO attempts (student_id, bank_id, bank_title, mode, question_order, seed, time_limit_s,"
            " started_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                student_id,
                bank_id,
                bank_title,
                mode.value,
                json.dumps(order),
                seed,
                time_limit_s,
                now,
                deadline,
            ),
        )
        assert cursor.lastrowid is not None
        return self.load_attempt(cursor.lastrowid)

    def load_attempt(self, attempt_id: int) -> Attempt:
        row = self._db.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise InputError(f"no quiz attempt #{attempt_id} in {self.path}", hint="see 'quiz export --help'")
        attempt = _attempt(row)
        for answer in self._db.execute("SELECT * FROM answers WHERE attempt_id = ?", (attempt_id,)):
            grade = Grade.from_dict(json.loads(answer["grade"])) if answer["grade"] else None
            attempt.answers[answer["question_id"]] = Answer(
                answer["question_id"], answer["draft"], answer["submitted"], grade
            )
        return attempt

    def unfinished_attempt(self, student_id: str, bank_id: str) -> Attempt | None:
        """The student's most recent unfinished attempt at this bank, if any."""
        row = self._db.execute(
            "SELECT id FROM attempts WHERE student_id = ? AND bank_id = ? AND finished_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (student_id, bank_id),
        ).fetchone()
        return self.load_attempt(row["id"]) if row else None

    def latest_attempt(self, *, student_id: str | None = None, bank_id: str | None = None) -> Attempt | None:
        clauses = [
            (column, value) for column, value in (("student_id", student_id), ("bank_id", bank_id)) if value
        ]
        where = " AND ".join(f"{column} = ?" for column, _ in clauses) or "1"
        row = self._db.execute(
            f"SELECT id FROM attempts WHERE {where} ORDER BY id DESC LIMIT 1", [value for _, value in clauses]
        ).fetchone()
        return self.load_attempt(row["id"]) if row else None

    def set_current(self, attempt: Attempt, index: int) -> None:
        attempt.current = index
        self._db.execute("UPDATE attempts SET current = ? WHERE id = ?", (index, attempt.id))

    def finish(self, attempt: Attempt) -> None:
        attempt.finished_at = self._clock()
        self._db.execute(
            "UPDATE attempts SET finished_at = ? WHERE id = ?", (attempt.finished_at, attempt.id)
        )

    # --- answers --------------------------------------------------------------------------------

    def save_draft(self, attempt: Attempt, question_id: str, text: str) -> None:
        answer = attempt.answer(question_id)
        answer.draft = text
        self._db.execute(
            "INSERT INTO answers (attempt_id, question_id, draft, draft_saved_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (attempt_id, question_id) DO UPDATE SET draft = excluded.draft,"
            " draft_saved_at = excluded.draft_saved_at",
            (attempt.id, question_id, text, self._clock()),
        )

    def submit(self, attempt: Attempt, question_id: str, text: str) -> None:
        """Record ``text`` as the submitted answer; its grade (if any) is cleared until it is regraded."""
        answer = attempt.answer(question_id)
        answer.draft, answer.submitted, answer.grade = text, text, None
        now = self._clock()
        self._db.execute(
            "INSERT INTO answers (attempt_id, question_id, draft, draft_saved_at, submitted, submitted_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id, question_id) DO UPDATE SET"
            " draft = excluded.draft, draft_saved_at = excluded.draft_saved_at,"
            " submitted = excluded.submitted, submitted_at = excluded.submitted_at, grade = NULL",
            (attempt.id, question_id, text, now, text, now),
        )

    def save_grade(self, attempt: Attempt, question_id: str, text: str, grade: Grade) -> bool:
        """Store ``grade`` if ``text`` is still the submitted answer; False when it was resubmitted since."""
        answer = attempt.answer(question_id)
        if answer.submitted != text:
            return False
        answer.grade = grade
        self._db.execute(
            "UPDATE answers SET grade = ? WHERE attempt_id = ? AND question_id = ?",
            (json.dumps(grade.to_dict()), attempt.id, question_id),
        )
        return True

    # --- export ---------------------------------------------------------------------------------

    def export(self, attempt: Attempt, out: Path) -> int:
        """Write ``attempt`` to ``out`` (.csv or .json) atomically, in the format ``quiz grade-answers``
        reads; returns the number of answer records."""
        records = list(_records(attempt))
        suffix = out.suffix.lower()
        if suffix == ".csv":
            columns = ["student_id", "question_id", "answer"]
            write_csv(out, [columns, *([record[key] for key in columns] for record in records)])
        elif suffix == ".json":
            text = json.dumps({"attempt": _metadata(attempt), "records": records}, indent=2) + "\n"
            atomic_write_text(out, text)
        else:
            raise InputError(
                f"cannot export to {out}: unknown format {suffix!r}", hint="use a .csv or .json file"
            )
        return len(records)


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"],
        student_id=row["student_id"],
        bank_id=row["bank_id"],
        bank_title=row["bank_title"],
        mode=Mode(row["mode"]),
        order=json.loads(row["question_order"]),
        seed=row["seed"],
        time_limit_s=row["time_limit_s"],
        started_at=row["started_at"],
        deadline=row["deadline"],
        finished_at=row["finished_at"],
        current=row["current"],
    )


def _records(attempt: Attempt) -> Iterator[dict[str, Any]]:
    for question_id in attempt.order:
        answer = attempt.answer(question_id)
        yield {
            "student_id": attempt.student_id,
            "question_id": question_id,
            "answer": answer.final_text,
            "status": answer.status.value,
            "grade": answer.grade.to_dict() if answer.grade else None,
        }


def _metadata(attempt: Attempt) -> dict[str, Any]:
    def iso(stamp: float | None) -> str | None:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if stamp is not None else None

    return {
        "id": attempt.id,
        "student_id": attempt.student_id,
        "bank_id": attempt.bank_id,
        "bank_title": attempt.bank_title,
        "mode": attempt.mode.value,
        "question_order": attempt.order,
        "seed": attempt.seed,
        "time_limit_minutes": attempt.time_limit_s / 60 if attempt.time_limit_s else None,
        "started_at": iso(attempt.started_at),
        "finished_at": iso(attempt.finished_at),
    }
