"""Find, load and validate question banks.

A bank is named by its file's stem and looked up, first match wins, in: the directories (or files)
listed in ``$QUIZ_BANK_PATH``, the user's bank folder (``<user data dir>/attention-quiz/banks``),
and the banks shipped in ``bank/``. Anything that looks like a path (has a folder or a
``.toml``/``.yaml``/``.yml`` suffix) is used as a file directly.

Validation reports every problem at once, each with file, field path and line, so that an instructor
can fix a bank in one pass.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import platformdirs
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bank import BANK_DIR, DEFAULT_BANK
from graders.bank_schema import DUPLICATE_ID, Bank, Question
from graders.bank_source import FORMATS, BankSource, FieldPath, format_path, parse_source
from graders.errors import BankError, BankProblem, InputError, cannot_read
from graders.suggest import did_you_mean

logger = logging.getLogger(__name__)

BANK_PATH_ENV = "QUIZ_BANK_PATH"

# resolved path -> (mtime_ns, bank): a bank file edited while the app runs is reloaded
_cache: dict[Path, tuple[int, Bank]] = {}


@dataclass(frozen=True)
class BankInfo:
    """One bank found on the search path; ``problems`` counts validation problems (0 when valid)."""

    name: str
    path: Path
    title: str
    questions: int
    points: float
    problems: int = 0


def user_bank_dir() -> Path:
    return Path(platformdirs.user_data_dir("attention-quiz")) / "banks"


def bank_search_path() -> list[Path]:
    """Where bank names are looked up, in order of precedence."""
    entries = [Path(entry) for entry in os.environ.get(BANK_PATH_ENV, "").split(os.pathsep) if entry]
    return [*entries, user_bank_dir(), BANK_DIR]


def resolve_bank_path(name_or_path: str | Path | None = None) -> Path:
    """The bank file for a name, a path, or (``None``) the default bank; BankError when there is none."""
    if name_or_path is None:
        name_or_path = DEFAULT_BANK
    if _looks_like_path(name_or_path):
        path = Path(name_or_path).expanduser()
        try:  # Path.is_dir raises where the folder that holds it cannot be searched
            folder, found = path.is_dir(), path.exists()
        except OSError as exc:
            raise cannot_read(path, exc) from None
        if folder:
            raise BankError(f"{path} is a directory, not a bank file", hint="pass a .toml or .yaml bank file")
        if not found:
            raise BankError(f"bank file not found: {path}", hint="check the path, or see 'quiz bank list'")
        return path
    files = _bank_files()
    if name_or_path in files:
        return files[name_or_path]
    raise BankError(
        f"no bank named {name_or_path!r}{did_you_mean(str(name_or_path), files)}",
        hint=f"known banks: {', '.join(sorted(files)) or 'none'}; or give the path of a .toml/.yaml file",
    )


def is_packaged(name_or_path: str | Path | None = None) -> bool:
    """Whether a bank is one shipped in ``bank/`` (read-only: what is learned for it is stored elsewhere)."""
    return resolve_bank_path(name_or_path).resolve().is_relative_to(Path(BANK_DIR).resolve())


def load_bank(name_or_path: str | Path | None = None) -> Bank:
    """Load and validate a bank (see ``resolve_bank_path``); BankError lists every problem, InputError
    (``cannot_read``) says that it cannot be read."""
    path = resolve_bank_path(name_or_path)
    key = path.resolve()
    try:
        mtime = key.stat().st_mtime_ns
    except OSError as exc:
        raise cannot_read(path, exc) from None
    cached = _cache.get(key)
    if cached and cached[0] == mtime:
        return cached[1]
    bank, problems = _check(path)
    if bank is None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise BankError(
            f"invalid question bank {path} ({count}):",
            problems=problems,
            hint=f"fix the lines above, then check with 'quiz bank validate {path}'",
        )
    logger.debug("loaded bank %s from %s: %d questions", bank.id, path, len(bank.questions))
    _cache[key] = (mtime, bank)
    return bank


def validate_bank_file(path: str | Path) -> list[BankProblem]:
    """Every problem in a bank file, sorted by line; an empty list means the bank is valid. A file that
    cannot be read (its permissions) is no problem in it: ``cannot_read``'s InputError."""
    return _check(Path(path))[1]


def list_banks() -> list[BankInfo]:
    """Every bank reachable by name, valid or not, sorted by name."""
    infos = []
    for name, path in sorted(_bank_files().items()):
        try:
            bank = load_bank(path)
        except BankError as exc:
            infos.append(BankInfo(name, path, "", 0, 0.0, problems=max(len(exc.problems), 1)))
        except InputError:  # it cannot be read
            infos.append(BankInfo(name, path, "", 0, 0.0, problems=1))
        else:
            infos.append(BankInfo(name, path, bank.title, len(bank.questions), bank.total_points))
    return infos


def find_question(bank: Bank, question_id: str) -> Question:
    """The question with this id (case-insensitive); BankError with a did-you-mean hint otherwise."""
    wanted = question_id.strip().casefold()
    for question in bank.questions:
        if question.id.casefold() == wanted:
            return question
    ids = [question.id for question in bank.questions]
    shown = ", ".join(ids[:30]) + (", ..." if len(ids) > 30 else "")
    raise BankError(
        f"no question {question_id!r} in bank {bank.id!r}{did_you_mean(question_id, ids)}",
        hint=f"the bank's questions are {shown}",
    )


def _looks_like_path(value: str | Path) -> bool:
    if isinstance(value, Path):
        return True
    return "/" in value or os.sep in value or Path(value).suffix.lower() in FORMATS


def _bank_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for entry in bank_search_path():
        try:
            if entry.is_file():
                files.setdefault(entry.stem, entry)
            elif entry.is_dir():
                for path in sorted(entry.iterdir()):
                    if path.suffix.lower() in FORMATS and path.is_file():
                        files.setdefault(path.stem, path)
        except OSError as exc:  # a bank in it may be the one a name means: none is chosen without it
            raise cannot_read(entry, exc) from None
    return files


def _check(path: Path) -> tuple[Bank | None, list[BankProblem]]:
    """Parse and validate one file: the bank when valid, and every problem found."""
    file = str(path)

    def fail(message: str, line: int | None = None) -> tuple[None, list[BankProblem]]:
        return None, [BankProblem(file, "", line, message)]

    fmt = FORMATS.get(path.suffix.lower())
    try:  # Path.is_dir raises where the folder that holds it cannot be searched
        if path.is_dir():
            return fail("is a directory, not a bank file")
        if not path.exists():
            return fail("file not found")
        if fmt is None:
            return fail("unsupported file type; a bank is a .toml, .yaml or .yml file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return fail(f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:  # no line to fix: the permissions of the file, or of a folder that holds it
        raise cannot_read(path, exc) from None

    source = parse_source(file, text, fmt)
    if source.problems and source.data is None:
        return None, source.problems
    if not isinstance(source.data, dict):
        kind = "an empty file" if source.data is None else f"a {type(source.data).__name__}"
        return fail(f"a bank must be a table of id, title and questions, not {kind}", 1)

    duplicates = _duplicate_ids(source)
    problems = [*source.problems, *duplicates]
    bank = None
    try:
        bank = Bank.model_validate(source.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if duplicates:
            # already reported, with lines; the schema's own check stops at the first duplicate
            errors = [error for error in errors if error["type"] != DUPLICATE_ID]
        problems += [_schema_problem(source, error) for error in errors]
    problems.sort(key=lambda problem: problem.line or 0)
    return (bank if not problems else None), problems


def _duplicate_ids(source: BankSource) -> list[BankProblem]:
    questions = source.data.get("questions")
    if not isinstance(questions, list):
        return []
    problems = _duplicates(source, ("questions",), questions, "question")
    for index, question in enumerate(questions):
        if isinstance(question, dict):
            for key, kind in (("rubric", "rubric point"), ("misconceptions", "misconception")):
                items = question.get(key)
                if isinstance(items, list):
                    problems += _duplicates(source, ("questions", index, key), items, kind)
    return problems


def _duplicates(source: BankSource, path: FieldPath, items: list[Any], kind: str) -> list[BankProblem]:
    problems = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(item_id, str):
            continue
        # the schema strips whitespace, so "Q1" and "Q1 " are the same id
        item_id = item_id.strip()
        if item_id not in first_index:
            first_index[item_id] = index
            continue
        id_path = (*path, index, "id")
        first_line = source.line_of((*path, first_index[item_id], "id"))
        problems.append(
            BankProblem(
                source.file,
                format_path(id_path, source.data),
                source.line_of(id_path),
                f"duplicate {kind} id {item_id!r} (first used at line {first_line})",
            )
        )
    return problems


def _schema_problem(source: BankSource, error: ErrorDetails) -> BankProblem:
    loc = tuple(error["loc"])
    if error["type"] == "missing":
        message = "missing required field"
    elif error["type"] == "extra_forbidden":
        name = str(loc[-1])
        allowed = _fields_at(loc[:-1])
        hint = did_you_mean(name, allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        message = f"unknown field {name!r}{hint}"
    else:
        # unions add type tags such as "str" to the location; keep only the part that names data
        loc = _data_prefix(loc, source.data)
        message = error["msg"]
        value = error.get("input")
        if isinstance(value, str | int | float | bool) or value is None:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            message += f" (got {shown})"
    return BankProblem(source.file, format_path(loc, source.data), source.line_of(loc), message)


def _data_prefix(loc: FieldPath, data: Any) -> FieldPath:
    node = data
    for depth, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return loc[:depth]
    return loc


def _fields_at(loc: FieldPath) -> list[str]:
    """Field names of the schema model found at ``loc`` (list indices skipped), for did-you-mean hints."""
    model: type[BaseModel] = Bank
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field else None
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    candidates = get_args(annotation) if get_origin(annotation) is list else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
