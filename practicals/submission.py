"""Load a student's submission (``<id>.py`` or ``<id>.ipynb``) as a module, and wrap it so that
every failure names the student's function and the problem.
"""

from __future__ import annotations

import ast
import functools
import json
import sys
import types
from pathlib import Path
from typing import Any

from practicals.check import CheckFailed

SUFFIXES = (".py", ".ipynb")


class SubmissionError(CheckFailed):
    """The submission cannot be used at all for a check (missing file, syntax error, import error)."""


def find_submission_file(path: Path, practical: str) -> Path:
    """``path`` is a folder holding ``<practical>.py``/``.ipynb`` or a single file for one practical."""
    path = Path(path)
    if path.is_file():
        if path.suffix not in SUFFIXES:
            raise SubmissionError(f"{path.name}: a submission must be a .py or .ipynb file")
        return path
    for suffix in SUFFIXES:
        candidate = path / f"{practical}{suffix}"
        if candidate.is_file():
            return candidate
    raise SubmissionError(f"no {practical}.py or {practical}.ipynb in the submission folder {path.name}/")


def notebook_source(path: Path) -> str:
    """The code of a notebook's code cells, without shell/magic lines and top-level demo calls.

    Top-level expression statements (``model.fit(...)``, ``print(...)``, plots) are demo code: they
    are dropped so that they neither slow nor break grading. Definitions, imports and assignments stay.
    """
    import nbformat

    try:
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as exc:
        raise SubmissionError(f"{path.name} is not a readable notebook: {exc}") from exc
    chunks = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        lines = ["" if line.lstrip().startswith(("!", "%")) else line for line in cell.source.splitlines()]
        code = "\n".join(lines)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            chunks.append(f"# cell {index + 1}\n{code}\n")  # reported with the cell's own line numbers
            continue
        kept = [node for node in tree.body if not _is_demo_statement(node)]
        tree.body = kept
        chunks.append(f"# cell {index + 1}\n{ast.unparse(tree)}\n")
    return "\n".join(chunks)


def _is_demo_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
        return True
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    )


def load_module(path: Path, practical: str) -> types.ModuleType:
    """Execute the submission file as a fresh module named ``submission_<practical>``."""
    file = find_submission_file(path, practical)
    try:
        source = notebook_source(file) if file.suffix == ".ipynb" else file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{file.name} is not UTF-8 text: {exc}") from exc
    name = f"submission_{practical}"
    module = types.ModuleType(name)
    module.__file__ = str(file)
    try:
        code = compile(source, str(file), "exec")
    except SyntaxError as exc:
        raise SubmissionError(f"{file.name} has a syntax error at line {exc.lineno}: {exc.msg}") from None
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - running the student's code is the point
    except SystemExit as exc:
        raise SubmissionError(f"{file.name} called sys.exit({exc.code}) while being imported") from None
    except BaseException as exc:  # noqa: BLE001 - any import-time failure is the student's
        raise SubmissionError(f"importing {file.name} raised {type(exc).__name__}: {_short(exc)}") from None
    return module


class Submission:
    """The student's module seen through the contract: ``sub.build_model(...)`` calls the student's
    function, and any failure becomes a ``CheckFailed`` naming that function and the problem."""

    def __init__(self, module: types.ModuleType, practical: str) -> None:
        self._module = module
        self.practical = practical

    @property
    def module(self) -> types.ModuleType:
        return self._module

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            value = getattr(self._module, name)
        except AttributeError:
            raise CheckFailed(f"the submission does not define `{name}`") from None
        if not callable(value):
            raise CheckFailed(f"`{name}` in the submission is a {type(value).__name__}, not a function")
        return _named(name, value)


def _named(name: str, function: Any) -> Any:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CheckFailed:
            raise
        except TypeError as exc:
            raise CheckFailed(f"`{name}` could not be called as the contract says: {_short(exc)}") from exc
        except NotImplementedError as exc:
            detail = _short(exc) or "NotImplementedError"
            raise CheckFailed(f"`{name}` is not implemented yet ({detail})") from exc
        except SystemExit as exc:
            raise CheckFailed(f"`{name}` called sys.exit({exc.code})") from exc
        except Exception as exc:  # noqa: BLE001 - the student's exception becomes feedback
            raise CheckFailed(f"`{name}` raised {type(exc).__name__}: {_short(exc)}") from exc

    return call


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."
