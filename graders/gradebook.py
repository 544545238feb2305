"""The class gradebook: one SQLite file holding every graded item of every student.

One row per (student, item): an item is a theory question id (the row's result is a ``Grade`` dict) or
a practical id (the row's result is the runner's ``Report.to_dict()`` for that practical). Each row
keeps the content hash of what was graded and the version of what graded it, so a rerun of
``quiz batch`` can skip what is unchanged. Every write is one transaction (WAL, ``synchronous=FULL``):
a batch killed at any moment keeps every row committed before it, and a row and its entry in the
``gradings`` log are committed together, so the log counts exactly the gradings that were kept.

Instructor overrides live in their own table, each on one answer (its content hash), and win over the
machine score of that answer wherever a score is read (``overrides``, ``effective_points``): a regrade of
the same answer never silently discards an instructor's decision, and a decision is never applied to an
answer it was not made on. A changed answer is graded afresh and goes back to the review queue; the
decisions on earlier answers stay in the table (``earlier_overrides``) and apply again if the answer
changes back.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from graders.errors import InputError, cannot_read
from graders.results import CheckResult, Metadata, Report, write_csv

Kind = Literal["theory", "practical"]
# graded: a result exists; invalid: the input itself is unusable (skipped on rerun while unchanged);
# error: the grader failed (retried on every rerun).
Status = Literal["graded", "invalid", "error"]
# The columns of the instructor-decided answers that ``quiz review --export`` writes (``export_graded_csv``)
# for ``quiz calibrate``.
DECIDED_COLUMNS = ("question_id", "answer", "score")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    item TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    max_points REAL NOT NULL,
    position INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS results (
    student_id TEXT NOT NULL,
    item TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    needs_review INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    version TEXT NOT NULL,
    result TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    graded_at REAL NOT NULL,
    PRIMARY KEY (student_id, item)
);
CREATE TABLE IF NOT EXISTS gradings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id TEXT NOT NULL,
    item TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    graded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, written_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS similarity (
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    student_a TEXT NOT NULL,
    student_b TEXT NOT NULL,
    score REAL NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (kind, item, student_a, student_b)
);
"""
_OVERRIDES = """
CREATE TABLE IF NOT EXISTS overrides (
    student_id TEXT NOT NULL,
    item TEXT NOT NULL,
    action TEXT NOT NULL,
    score REAL NOT NULL,
    points REAL NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (student_id, item, content_hash)
);
"""

# 2: one decision per answer (version 1 kept one per student x item, so deciding on a changed answer
# replaced the decision on the earlier one)
SCHEMA_VERSION = "2"


@dataclass(frozen=True)
class Item:
    item: str
    kind: Kind
    title: str
    max_points: float
    position: int
    detail: dict[str, Any]  # theory: prompt, model_answer, rubric; practical: {}


@dataclass(frozen=True)
class Row:
    """One graded (or failed) item of one student, as the batch produced it."""

    student_id: str
    item: str
    kind: Kind
    status: Status
    points: float
    max_points: float
    content_hash: str
    version: str
    result: dict[str, Any]
    needs_review: bool = False
    error: str = ""
    source: str = ""  # the answer text or the submission's code, for similarity checks
    source_path: str = ""


@dataclass(frozen=True)
class Override:
    student_id: str
    item: str
    action: Literal["accept", "override"]
    score: float  # fraction in [0, 1]
    points: float
    comment: str
    content_hash: str  # the answer the decision was made on
    created_at: float


@dataclass(frozen=True)
class SimilarityFlag:
    kind: Kind
    item: str
    student_a: str
    student_b: str
    score: float
    evidence: dict[str, Any]


class Gradebook:
    """All reads and writes of one gradebook file; one connection, used by the thread that opened it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA + _OVERRIDES)  # idempotent, and executescript commits on its own
        self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> Gradebook:
        path = Path(path)
        found = _readable_file(path)
        if not create and not found:
            raise InputError(
                f"gradebook {path} does not exist", hint="create it with 'quiz batch ROOT --out FILE'"
            )
        if path.is_dir():
            raise InputError(f"gradebook {path} is a folder", hint="pass a file, e.g. class.gradebook.sqlite")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            book = cls(path)
            schema = book._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{path} is not a gradebook ({exc})", hint="pass the file 'quiz batch --out' wrote"
            ) from None
        if schema["value"] == "1":
            book._upgrade_from_1()
        elif schema["value"] != SCHEMA_VERSION:
            raise InputError(
                f"{path}: gradebook format {schema['value']} is not supported (expected {SCHEMA_VERSION})"
            )
        return book

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _upgrade_from_1(self) -> None:
        """Key the overrides by answer too, keeping every decision (SQLite cannot change a primary key in
        place). The version is read again inside the transaction: another process may have upgraded."""
        with self._transaction():
            if self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()["value"] != "1":
                return
            self._db.execute("ALTER TABLE overrides RENAME TO overrides_1")
            self._db.execute(_OVERRIDES)
            self._db.execute(
                "INSERT INTO overrides (student_id, item, action, score, points, comment, content_hash,"
                " created_at) SELECT student_id, item, action, score, points, comment, content_hash,"
                " created_at FROM overrides_1"
            )
            self._db.execute("DROP TABLE overrides_1")
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))

    # --- items ----------------------------------------------------------------------------------

    def set_items(self, items: Iterable[Item]) -> None:
        with self._transaction():
            for it in items:
                self._db.execute(
                    "INSERT INTO items (item, kind, title, max_points, position, detail)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (item) DO UPDATE SET kind = excluded.kind,"
                    " title = excluded.title, max_points = excluded.max_points,"
                    " position = excluded.position, detail = excluded.detail",
                    (it.item, it.kind, it.title, it.max_points, it.position, json.dumps(it.detail)),
                )

    def items(self, kind: Kind | None = None) -> list[Item]:
        rows = self._db.execute(
            "SELECT * FROM items WHERE ? IS NULL OR kind = ? ORDER BY kind DESC, position, item", (kind, kind)
        )
        return [
            Item(r["item"], r["kind"], r["title"], r["max_points"], r["position"], json.loads(r["detail"]))
            for r in rows
        ]

    # --- results --------------------------------------------------------------------------------

    def fingerprints(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(student, item) -> (content hash, version, status) of every stored row."""
        return {
            (r["student_id"], r["item"]): (r["content_hash"], r["version"], r["status"])
            for r in self._db.execute("SELECT student_id, item, content_hash, version, status FROM results")
        }

    def put(self, rows: Iterable[Row]) -> None:
        """Store ``rows`` (replacing earlier results of the same student x item) and log the gradings,
        all in one transaction."""
        now = time.time()
        with self._transaction():
            for row in rows:
                self._db.execute(
                    "INSERT OR REPLACE INTO results (student_id, item, kind, status, points, max_points,"
                    " needs_review, content_hash, version, result, error, source, source_path, graded_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row.student_id,
                        row.item,
                        row.kind,
                        row.status,
                        row.points,
                        row.max_points,
                        int(row.needs_review),
                        row.content_hash,
                        row.version,
                        json.dumps(row.result),
                        row.error,
                        row.source,
                        row.source_path,
                        now,
                    ),
                )
                self._db.execute(
                    "INSERT INTO gradings (student_id, item, content_hash, version, status, graded_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (row.student_id, row.item, row.content_hash, row.version, row.status, now),
                )

    def forget_unusable(self, keys: Iterable[tuple[str, str]]) -> None:
        """Delete the rows of these (student, item) keys that stand for an unusable input (status
        ``invalid``), once that input is gone or usable: a grade, a grader's failure and a row any review
        decision was made on are kept, and so is the gradings log."""
        with self._transaction():
            self._db.executemany(
                "DELETE FROM results WHERE student_id = ? AND item = ? AND status = 'invalid' AND NOT EXISTS"
                " (SELECT 1 FROM overrides AS o WHERE o.student_id = results.student_id"
                " AND o.item = results.item)",
                list(keys),
            )

    def rows(self, *, kind: Kind | None = None, student_id: str | None = None) -> list[Row]:
        found = self._db.execute(
            "SELECT * FROM results WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR student_id = ?)"
            " ORDER BY student_id, item",
            (kind, kind, student_id, student_id),
        )
        return [_row(r) for r in found]

    def row(self, student_id: str, item: str) -> Row | None:
        found = self._db.execute(
            "SELECT * FROM results WHERE student_id = ? AND item = ?", (student_id, item)
        ).fetchone()
        return _row(found) if found else None

    def students(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT student_id FROM results ORDER BY student_id")]

    def grading_counts(self) -> dict[tuple[str, str], int]:
        """How many times each student x item was graded (and kept) over all runs."""
        return {
            (r[0], r[1]): r[2]
            for r in self._db.execute(
                "SELECT student_id, item, COUNT(*) FROM gradings GROUP BY student_id, item"
            )
        }

    # --- overrides ------------------------------------------------------------------------------

    def set_override(
        self, student_id: str, item: str, *, score: float | None = None, comment: str = ""
    ) -> Override:
        """Accept the machine score (``score=None``) or replace it by ``score`` (a fraction in [0, 1]), for
        the answer graded now: a decision already made on that answer is replaced, those on earlier answers
        are kept."""
        row = self.row(student_id, item)
        if row is None or row.status != "graded":
            raise InputError(f"no graded answer of student {student_id!r} to {item!r} in {self.path}")
        if score is not None and not 0.0 <= score <= 1.0:
            raise InputError(f"score {score:g} is out of range", hint="give a fraction between 0 and 1")
        machine = row.points / row.max_points if row.max_points else 0.0
        chosen = machine if score is None else score
        override = Override(
            student_id,
            item,
            "accept" if score is None else "override",
            round(chosen, 4),
            round(chosen * row.max_points, 4),
            comment.strip(),
            row.content_hash,
            time.time(),
        )
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO overrides (student_id, item, action, score, points, comment,"
                " content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    override.student_id,
                    override.item,
                    override.action,
                    override.score,
                    override.points,
                    override.comment,
                    override.content_hash,
                    override.created_at,
                ),
            )
        return override

    def clear_override(self, student_id: str, item: str) -> None:
        """Withdraw the decision on the current answer (those on earlier answers stay on record)."""
        with self._transaction():
            self._db.execute(
                "DELETE FROM overrides WHERE student_id = ? AND item = ? AND content_hash ="
                " (SELECT content_hash FROM results WHERE student_id = ? AND item = ?)",
                (student_id, item, student_id, item),
            )

    def overrides(self) -> dict[tuple[str, str], Override]:
        """(student, item) -> the decision on the answer graded now: the only decisions that apply."""
        return {(o.student_id, o.item): o for o in self._overrides(current=True)}

    def earlier_overrides(self) -> list[Override]:
        """Decisions on answers that have since changed: kept, but applied to nothing."""
        return self._overrides(current=False)

    def _overrides(self, *, current: bool) -> list[Override]:
        found = self._db.execute(
            "SELECT o.* FROM overrides AS o JOIN results AS r USING (student_id, item)"
            " WHERE (o.content_hash = r.content_hash) = ? ORDER BY o.student_id, o.item, o.created_at",
            (current,),
        )
        return [
            Override(
                r["student_id"],
                r["item"],
                r["action"],
                r["score"],
                r["points"],
                r["comment"],
                r["content_hash"],
                r["created_at"],
            )
            for r in found
        ]

    def review_queue(self) -> list[Row]:
        """Graded theory answers no one has decided on yet that the grader flagged as unsure or that
        changed since an instructor's decision (which the instructor would otherwise never see again)."""
        decided = self.overrides()
        changed = {(o.student_id, o.item) for o in self.earlier_overrides()}
        return [
            row
            for row in self.rows(kind="theory")
            if row.status == "graded"
            and (row.student_id, row.item) not in decided
            and (row.needs_review or (row.student_id, row.item) in changed)
        ]

    def effective_points(self) -> dict[tuple[str, str], float]:
        """(student, item) -> points, an instructor's decision on the current answer winning over the
        machine's score."""
        points = {(r.student_id, r.item): r.points for r in self.rows()}
        points.update({key: o.points for key, o in self.overrides().items()})
        return points

    def totals(self) -> dict[str, float]:
        totals: dict[str, float] = {student: 0.0 for student in self.students()}
        for (student, _), points in self.effective_points().items():
            totals[student] = round(totals[student] + points, 4)
        return totals

    def export_graded_csv(self, out: Path) -> int:
        """Write the instructor-decided theory answers as ``question_id, answer, score`` (the input of
        ``quiz calibrate``); returns the number of rows. Only the decisions on the current answers: the
        answer stored is the current one, and a score is only known for the answer it was given to."""
        rows = []
        for (student, item), override in sorted(self.overrides().items()):
            row = self.row(student, item)
            if row is not None and row.kind == "theory":
                rows.append([item, row.source, f"{override.score:g}"])
        write_csv(Path(out), [list(DECIDED_COLUMNS), *rows])
        self.record_outputs([Path(out)])
        return len(rows)

    # --- outputs --------------------------------------------------------------------------------

    def record_outputs(self, paths: Iterable[Path]) -> None:
        """Note files written from this gradebook (reports, feedback, exports), so that ``quiz batch`` never
        reads one back as a student's work when they are written inside the class folder."""
        now = time.time()
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs (path, written_at) VALUES (?, ?)",
                [(str(Path(path).resolve()), now) for path in paths],
            )

    def outputs(self) -> set[Path]:
        """The resolved paths of every file written from this gradebook: its own (``gradebook_files``) and
        those ``record_outputs`` noted."""
        return gradebook_files(self.path) | {Path(r[0]) for r in self._db.execute("SELECT path FROM outputs")}

    @classmethod
    def outputs_of(cls, path: Path | str) -> set[Path]:
        """``outputs()`` of the gradebook at ``path``, which is not created: only its own files when it does
        not exist yet."""
        if not _readable_file(Path(path)):
            return gradebook_files(path)
        with cls.open(path, create=False) as book:
            return book.outputs()

    # --- similarity -----------------------------------------------------------------------------

    def set_similarity(self, flags: Iterable[SimilarityFlag]) -> None:
        """Replace every stored similarity flag by ``flags`` (they are recomputed over the whole class)."""
        with self._transaction():
            self._db.execute("DELETE FROM similarity")
            for f in flags:
                self._db.execute(
                    "INSERT OR REPLACE INTO similarity (kind, item, student_a, student_b, score, evidence)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (f.kind, f.item, f.student_a, f.student_b, f.score, json.dumps(f.evidence)),
                )

    def similarity(self) -> list[SimilarityFlag]:
        return [
            SimilarityFlag(
                r["kind"], r["item"], r["student_a"], r["student_b"], r["score"], json.loads(r["evidence"])
            )
            for r in self._db.execute("SELECT * FROM similarity ORDER BY kind DESC, item, score DESC")
        ]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (the connection is in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def gradebook_files(path: Path | str) -> set[Path]:
    """The resolved paths of the gradebook at ``path`` and of the files SQLite keeps beside it (the -wal
    holds committed decisions not yet copied into the gradebook)."""
    book = Path(path).resolve()
    return {book, book.with_name(f"{book.name}-wal"), book.with_name(f"{book.name}-shm")}


def _readable_file(path: Path) -> bool:
    """Whether ``path`` is a file; an ``InputError`` where it cannot be read (its permissions), which sqlite
    would call no database, or where the folder that holds it cannot be searched (Path.is_file raises)."""
    try:
        if not path.is_file():
            return False
        path.open("rb").close()
    except OSError as exc:
        raise cannot_read(path, exc) from None
    return True


def _row(r: sqlite3.Row) -> Row:
    return Row(
        student_id=r["student_id"],
        item=r["item"],
        kind=r["kind"],
        status=r["status"],
        points=r["points"],
        max_points=r["max_points"],
        content_hash=r["content_hash"],
        version=r["version"],
        result=json.loads(r["result"]),
        needs_review=bool(r["needs_review"]),
        error=r["error"],
        source=r["source"],
        source_path=r["source_path"],
    )


def report_from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a practical's ``Report`` from the ``Report.to_dict()`` stored in a row."""
    meta = dict(data["metadata"])
    for key in ("isolation", "practicals", "visibility"):
        meta[key] = tuple(meta[key])
    return Report(
        submission=data["submission"],
        checks=tuple(CheckResult(**check) for check in data["checks"]),
        metadata=Metadata(**meta),
    )
