"""CSV input and output of batch grading (``quiz grade-answers``) and calibration (``quiz calibrate``).

Whole-file problems (unreadable file, missing columns) raise ``InputError``; problems of single rows
(unknown question id, more fields than the header, bad score) are collected as ``RowProblem`` with the
row's line number so that the rest of the file is still processed. Empty rows are no problem: skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import logging
import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from graders.bank_schema import Bank, Question
from graders.errors import InputError, cannot_read
from graders.grade import Grade
from graders.gradebook import DECIDED_COLUMNS
from graders.results import from_spreadsheet, write_csv
from graders.short_answer import AdHocItem, Item
from graders.suggest import did_you_mean

log = logging.getLogger(__name__)
_DECIMAL_COMMA = re.compile(r"^(\d+),(\d+)$")  # "0,5" in the locales that save ";"-separated CSVs
_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_FIELD_LIMIT = 2**31 - 1  # csv's default is 131072 characters per field
# Excel's first line naming the delimiter, quoted or not (padded with delimiters if a spreadsheet saved it)
_SEP_LINE = re.compile(r'"?sep=([,;\t])"?\1*\s*', re.IGNORECASE)

OUTPUT_COLUMNS = ("score", "points", "verdict", "confidence", "needs_review", "feedback")
# The student's answer: column ``answer``, else ``student_answer`` (as in SemEval-2013's files).
ANSWER_COLUMNS = ("answer", "student_answer")
ALTERNATIVES_COLUMNS = ("all_reference_answers", "other_reference_answers")
# Every column the grader reads.
COLUMNS = (
    "question_id",
    "question",
    "reference_answer",
    *ANSWER_COLUMNS,
    "score",
    *ALTERNATIVES_COLUMNS,
)


@dataclass(frozen=True)
class Row:
    line: int  # line number in the file (header is line 1)
    values: dict[str, str]
    item: Item
    answer: str
    score: float | None = None  # instructor grade, for calibration


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str
    values: dict[str, str] | None = None  # the row's values, when it could be read (an unknown id)

    def __str__(self) -> str:
        return f"row {self.line}: {self.message}"


def _text(path: Path) -> tuple[str, str]:
    """The file's text and its encoding: UTF-16 with its byte-order mark (Excel's "Unicode Text"), UTF-8
    (``utf-8-sig`` when with a BOM), else Windows-1252, which Excel on Windows writes for "CSV (Comma
    delimited)"."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # one of its five unused bytes
        raise InputError(
            f"cannot read CSV {path}: it is neither UTF-8 nor Windows-1252 text",
            hint="save it as UTF-8 CSV with a header row",
        ) from None


@dataclass(frozen=True)
class CsvFormat:
    """How to write a CSV that a spreadsheet opens as it opened the input: its delimiter, and a UTF-8
    byte-order mark when the input had one or was in another encoding (Excel reads a CSV without a BOM in
    the system's code page, so it would garble UTF-8 accents)."""

    delimiter: str
    bom: bool


def csv_format(path: Path) -> CsvFormat:
    """The ``CsvFormat`` of a CSV that ``read_answers`` has read."""
    text, encoding = _text(path)
    return CsvFormat(_delimiter(text)[0], encoding != "utf-8")


def _delimiter(text: str) -> tuple[str, int]:
    """The delimiter and the number of lines before the header (blank ones, and a ``sep=`` line). A first
    line ``sep=;`` (``sep=,``, tab) names it; else commas, or the semicolons or tabs that spreadsheets in
    many locales save: the one that splits the header into a column named ``answer``
    (``ANSWER_COLUMNS``), else the one the header uses most."""
    lines = text.splitlines()
    # blank lines (or a spreadsheet's empty cells) before the header are skipped
    skip = next((i for i, line in enumerate(lines) if line.strip(" \t,;")), len(lines))
    header = lines[skip] if skip < len(lines) else ""
    if sep_line := _SEP_LINE.fullmatch(header):
        return sep_line[1], skip + 1
    candidates = sorted((",", ";", "\t"), key=header.count, reverse=True)  # stable: "," first on ties
    for delimiter in candidates:
        names = [name.strip() for name in next(csv.reader([header], delimiter=delimiter), [])]
        if known_columns(names).keys() & set(ANSWER_COLUMNS):
            return delimiter, skip
    return candidates[0], skip


def _values(
    row: dict, header: list[str], delimiter: str, known: dict[str, str]
) -> dict[str, str] | str | None:
    """A ``csv.DictReader`` row's values by column (missing trailing fields are empty) and by the grader's
    name of each ``known`` column, or its problem; None for an empty row (a spreadsheet's trailing ",,,")."""
    extra = row.pop(None, [])  # fields beyond the header's: a piece of an answer, unless blank
    if any(field.strip() for field in extra):
        return (
            f"{len(header) + len(extra)} fields, but the header has {len(header)} columns: "
            f"put answers that contain {_DELIMITERS[delimiter]} in double quotes"
        )
    values = {k: from_spreadsheet(v or "") for k, v in row.items()}
    if not any(v.strip() for v in values.values()):
        return None
    return values | {name: values[column] for name, column in known.items()}


def _unique(names: list[str]) -> list[str]:
    """Column names with repeats told apart ("comment", "comment (2)"): a dict of a row's values would keep
    only the last of two columns of one name."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _normalised(column: str) -> str:
    return re.sub(r"[\s-]+", "_", column.casefold())


def known_columns(header: list[str]) -> dict[str, str]:
    """The header's column for each column name the grader reads (``COLUMNS``): the same name, else one
    that differs only in case, spaces or hyphens ("Question ID", "Answer"), as spreadsheets and LMS
    exports write them."""
    found: dict[str, str] = {}
    for column in header:
        name = _normalised(column)
        if name in COLUMNS and found.get(name) != name:
            found[name] = column
    return found


def _dict_reader(text: str) -> tuple[csv.DictReader, str, int]:
    """A reader of ``text``'s rows by column, from its header on, whose ``fieldnames`` are the header's
    names as a spreadsheet's cells read (``from_spreadsheet``) and told apart (``_unique``); its delimiter,
    and the number of lines before the header (``_delimiter``)."""
    delimiter, skip = _delimiter(text)
    reader = csv.DictReader(itertools.islice(io.StringIO(text, newline=""), skip, None), delimiter=delimiter)
    reader.fieldnames = _unique([from_spreadsheet(name.strip()) for name in reader.fieldnames or []])
    return reader, delimiter, skip


def is_graded(path: Path) -> bool:
    """Whether ``path`` is a CSV that ``quiz grade-answers`` wrote: its header has every column the grades
    add (``OUTPUT_COLUMNS``; ``output_table`` renames an input's column of such a name). False for a file
    that cannot be read as CSV."""
    return set(OUTPUT_COLUMNS) <= _columns(path)


def is_decided(path: Path) -> bool:
    """Whether ``path`` is a CSV of decided answers that ``quiz review --export`` wrote: its header is just
    ``DECIDED_COLUMNS`` (a ``quiz export`` attempt has no score). False for a file that cannot be read as
    CSV."""
    return _columns(path) == set(DECIDED_COLUMNS)


def _columns(path: Path) -> set[str]:
    """The names of the columns of the CSV at ``path``, up to case, spaces and hyphens (``_normalised``);
    empty when it cannot be read as CSV."""
    try:
        reader, _, _ = _dict_reader(_text(path)[0])
        header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error, InputError):
        return set()
    return {_normalised(column) for column in header}


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str] | str]]]:
    """The header and, by line number, each row's values or the problem that rules it out. A row's values
    are also under the name of each column the grader reads (``known_columns``)."""
    try:
        text, encoding = _text(path)
        if encoding == "cp1252":
            log.warning(
                "%s is not UTF-8: read it as Windows-1252 (check accented letters in the output)", path
            )
        csv.field_size_limit(_FIELD_LIMIT)  # an essay pasted into one answer is no reason to refuse the file
        reader, delimiter, skip = _dict_reader(text)
        header = list(reader.fieldnames or [])
        known = known_columns(header)
        rows = [
            (skip + reader.line_num, values)
            for row in reader
            if (values := _values(row, header, delimiter, known)) is not None
        ]
    except FileNotFoundError:
        raise InputError(f"file not found: {path}", hint="check the path") from None
    except OSError as exc:  # no permission to read it, say: how it was saved is not the problem
        raise cannot_read(path, exc) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            f"cannot read CSV {path}: {exc}", hint="save it as UTF-8 CSV with a header row"
        ) from None
    if not header:
        raise InputError(f"{path} is empty or has no header row", hint="the first line must name the columns")
    return header, rows


def _alternatives(values: dict[str, str]) -> tuple[str, ...] | str:
    """Other acceptable reference answers: a JSON list of strings, or one answer per line."""
    for column in ALTERNATIVES_COLUMNS:
        text = (values.get(column) or "").strip()
        if not text:
            continue
        if text.startswith("["):
            try:
                answers = json.loads(text)
            except json.JSONDecodeError as exc:
                return f"{column} is not a JSON list of strings ({exc.msg})"
            if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
                return f"{column} is not a JSON list of strings"
            return tuple(a.strip() for a in answers if a.strip())
        return tuple(line.strip() for line in text.splitlines() if line.strip())
    return ()


def _in_bank(bank: Bank | None, qid: str) -> Question | None:
    """The bank's question of id ``qid``, up to case."""
    if bank is None or not qid:
        return None
    return next((q for q in bank.questions if q.id.casefold() == qid.casefold()), None)


def item_for(values: dict[str, str], bank: Bank | None, adhoc: bool) -> Item | str:
    """The item a row answers, or a problem message: the bank's question of its question_id (with the rubric
    and misconceptions that grade it), else, with ``adhoc`` columns, the row's own question and reference."""
    qid = (values.get("question_id") or "").strip()
    if (question := _in_bank(bank, qid)) is not None:
        return question
    if adhoc and (values.get("question") or "").strip() and (values.get("reference_answer") or "").strip():
        alternatives = _alternatives(values)
        if isinstance(alternatives, str):
            return alternatives
        return AdHocItem(
            values["question"].strip(),
            values["reference_answer"].strip(),
            id=qid or "adhoc",
            alternatives=alternatives,
        )
    if not qid:
        if adhoc and (values.get("question") or "").strip():
            return "no reference_answer for this question"
        return "no question_id" + (" and no question/reference_answer" if adhoc else "")
    if bank is None:
        return f"question {qid!r} is not in a bank; give question and reference_answer, or --bank"
    ids = [q.id for q in bank.questions]
    return f"unknown question id {qid!r} in bank {bank.id!r}{did_you_mean(qid, ids)}"


def _differs_from(question: Question, values: dict[str, str]) -> bool:
    """Whether a row's own question or reference_answer (when given) says something else than the bank's
    prompt and model answer (white space and case aside)."""

    def words(text: str) -> str:
        return " ".join(text.split()).casefold()

    said = {"question": question.prompt, "reference_answer": question.model_answer}
    return any(words(values.get(column, "")) not in ("", words(text)) for column, text in said.items())


def _answer_column(names: set[str]) -> str | None:
    return next((name for name in ANSWER_COLUMNS if name in names), None)


def read_answers(path: Path, bank: Bank | None) -> tuple[list[str], list[Row], list[RowProblem]]:
    """Rows to grade: columns question_id + answer (bank items) or question + reference_answer + answer,
    optionally with other acceptable answers in all_reference_answers / other_reference_answers; the
    answer column may be any of ``ANSWER_COLUMNS``."""
    header, raw = _read(path)
    names = set(known_columns(header))
    adhoc = {"question", "reference_answer"} <= names
    answer = _answer_column(names)
    if answer is None:
        raise InputError(
            f"{path}: no 'answer' column{did_you_mean('answer', header)} (columns: {', '.join(header)})",
            hint="name the columns question_id, answer (or question, reference_answer, answer)",
        )
    if "question_id" not in names and not adhoc:
        raise InputError(
            f"{path}: no 'question_id' column, and no 'question' + 'reference_answer' columns",
            hint="add question_id (for bank questions) or question and reference_answer",
        )
    rows, problems, overruled = [], [], []
    for line, values in raw:
        if isinstance(values, str):
            problems.append(RowProblem(line, values))
            continue
        item = item_for(values, bank, adhoc)
        if isinstance(item, str):
            problems.append(RowProblem(line, item, values))
            continue
        if adhoc and isinstance(item, Question) and _differs_from(item, values):
            overruled.append(str(line))
        rows.append(Row(line, values, item, values.get(answer, "")))
    if overruled and bank is not None:
        log.warning(
            "%s row(s) %s: the question_id is in bank %r, whose question, rubric and misconceptions grade the"
            " answer; the row's own question or reference_answer differs from the bank's and is not used",
            path,
            ", ".join(overruled),
            bank.id,
        )
    return header, rows, problems


def read_graded(path: Path, bank: Bank) -> tuple[list[Row], list[RowProblem]]:
    """Instructor-graded rows for calibration: question_id, answer (or student_answer), score in [0, 1]."""
    header, raw = _read(path)
    names = set(known_columns(header))
    answer = _answer_column(names) or "answer"
    missing = [c for c in ("question_id", answer, "score") if c not in names]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(c + did_you_mean(c, header) for c in missing)} "
            f"(columns: {', '.join(header)})",
            hint="a graded CSV needs the columns question_id, answer, score (0 to 1)",
        )
    rows, problems = [], []
    for line, values in raw:
        if isinstance(values, str):
            problems.append(RowProblem(line, values))
            continue
        item = item_for(values, bank, adhoc=False)
        if isinstance(item, str):
            problems.append(RowProblem(line, item))
            continue
        try:
            score = float(_DECIMAL_COMMA.sub(r"\1.\2", values["score"].strip()))
        except ValueError:
            problems.append(RowProblem(line, f"score {values['score']!r} is not a number"))
            continue
        if not 0.0 <= score <= 1.0:
            problems.append(
                RowProblem(line, f"score {score} is outside 0..1 (give the fraction of full marks)")
            )
            continue
        rows.append(Row(line, values, item, values[answer], score))
    return rows, problems


def output_table(
    header: list[str], graded: list[tuple[Row, Grade]], skipped: list[RowProblem]
) -> tuple[list[str], list[dict[str, str]]]:
    """The output CSV's columns and rows, in the input's order: every input column, then the grade. An input
    column the grader writes too (a TA's "score", "Feedback") is kept as "input_<name>"; a row that could
    not be graded keeps its values, with "Not graded: <why>" as its feedback, so that rows still line up."""
    renamed = {c: f"input_{c}" for c in header if _normalised(c) in OUTPUT_COLUMNS}
    if renamed:
        log.warning("input column(s) %s kept as %s", ", ".join(renamed), ", ".join(renamed.values()))

    def inputs(values: dict[str, str]) -> dict[str, str]:
        return {renamed.get(c, c): values.get(c, "") for c in header}

    lines = [(row.line, {**inputs(row.values), **_grade_columns(grade)}) for row, grade in graded]
    lines += [
        (problem.line, {**inputs(problem.values), "feedback": f"Not graded: {problem.message}"})
        for problem in skipped
        if problem.values is not None
    ]
    columns = [renamed.get(c, c) for c in header] + list(OUTPUT_COLUMNS)
    return columns, [row for _, row in sorted(lines, key=itemgetter(0))]


def _grade_columns(grade: Grade) -> dict[str, str]:
    return {
        "score": f"{grade.score:.3f}",
        "points": f"{grade.points:.3f}",
        "verdict": grade.verdict.value,
        "confidence": f"{grade.confidence:.2f}",
        "needs_review": "yes" if grade.needs_review else "no",
        "feedback": grade.explanation,
    }


def write_atomically(
    path: Path, columns: list[str], rows: list[dict[str, str]], *, delimiter: str = ",", bom: bool = False
) -> None:
    """Write the CSV so that readers never see half a file and spreadsheets run no formula in it
    (``results.write_csv``); a row's values beyond ``columns`` are left out."""
    table = [columns, *([row.get(c, "") for c in columns] for row in rows)]
    write_csv(path, table, delimiter=delimiter, bom=bom)
