"""Find a student's submission (``<id>.py`` or ``<id>.ipynb``), load it as a module, and wrap it so that
every failure names the student's function and the problem.

Loading runs the submission's definitions, not its demo code. One transformation (``prepare``) does this
for a ``.py`` file and a notebook alike, at the top level of the code only:

- kept: imports, function and class definitions, assignments, ``if``/``try`` blocks, docstrings;
- skipped: expression statements (``print(...)``, ``model.fit(...)``, plots), ``for``/``while``/``with``
  blocks (unless they set up, without training, a name that the file's functions read: ``with open(...) as
  f: text = f.read()``, a vocabulary filled in a loop), ``if __name__ == "__main__":`` blocks, assignments
  whose value calls one of ``TRAINING_METHODS`` (``history = model.fit(...)``), imports of
  ``NOTEBOOK_MODULES``, and then every statement that reads a name only skipped code sets
  (``plt.plot(history.history["loss"])``);
- in a notebook, IPython syntax first becomes Python: a cell that starts with a cell magic (``%%bash``) is
  skipped unless the magic runs its body as Python (``%%time``, ``%%capture``); a line magic or shell line
  (``%pip ...``, ``!ls``) becomes ``pass`` at its indentation, ``x = !ls`` becomes ``x = None``, and help
  lines (``obj?``) are skipped. Cells are numbered from the top of the notebook, markdown cells included.

What is skipped (``Prepared.skipped``) is shown to the student as a note, never as a failure.
"""

from __future__ import annotations

import ast
import errno
import functools
import json
import os
import re
import sys
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from practicals.check import CheckFailed

SUFFIXES = (".py", ".ipynb")
# Methods that train a model or run it on data. At the top level of a submission their call is a demo run
# that would slow grading or fail in the sandbox: an assignment of their result is skipped, as a call is.
TRAINING_METHODS = frozenset(
    {
        "fit",
        "fit_generator",
        "train",
        "train_on_batch",
        "evaluate",
        "evaluate_generator",
        "predict",
        "predict_generator",
        "predict_on_batch",
        "predict_classes",
        "generate",
    }
)
# Modules of notebook front-ends (Jupyter, Colab): only for display, and not installed where checks run.
NOTEBOOK_MODULES = ("IPython", "google.colab", "ipywidgets", "ipykernel")
# Cell magics that run their cell's body as Python (timed, profiled, output captured): the body is kept.
_PYTHON_CELL_MAGICS = frozenset({"capture", "time", "timeit", "prun"})
_SHELL_ASSIGNMENT = re.compile(r"(?P<target>[A-Za-z_][\w.]*)\s*=\s*[!%]")
_HELP = re.compile(r"\?{1,2}[\w.]+|[\w.]+\?{1,2}")
# Methods that change a container in place: a block calling one on what a function reads sets that up.
_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "add", "setdefault", "remove", "discard", "pop", "clear", "sort"}
)
_BLOCKS = {
    ast.For: "for loop",
    ast.AsyncFor: "for loop",
    ast.While: "while loop",
    ast.With: "with block",
    ast.AsyncWith: "with block",
}
_DOWNLOAD_COPY = re.compile(r" \(\d+\)$")  # what browsers add to a file downloaded again: "spacy_ner (1)"
_ARCHIVES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
# a zip made on a Mac unpacks a __MACOSX folder of resource forks beside the work
_NOT_SEARCHED = frozenset({"__pycache__", "__MACOSX", "node_modules", "site-packages"})
_NETWORK_ERRORS = frozenset(
    {
        "URLError",
        "gaierror",
        "ConnectionError",
        "ConnectError",
        "ConnectTimeout",
        "NewConnectionError",
        "NameResolutionError",
        "MaxRetryError",
        "OfflineModeIsEnabled",
        "LocalEntryNotFoundError",
    }
)
_NETWORK_ERRNOS = frozenset({errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH})
_NETWORK_HINT = (
    "the checks run without network access: download nothing when your file is imported or your functions "
    "run; read local files, and use the models the checks pass as arguments"
)


class SubmissionError(CheckFailed):
    """The submission cannot be used at all for a check (missing file, syntax error, import error)."""


# ---- which file is a practical's ----


class PracticalFiles(NamedTuple):
    graded: dict[str, Path]  # practical -> the file graded for it
    named: dict[str, list[Path]]  # practical -> every file named for it (graded or not)
    other: list[Path]  # code files named for no practical


def practical_files(paths: Iterable[Path]) -> PracticalFiles:
    """Which of ``paths`` is graded for which practical: the one rule of every command that looks for
    practical files in a folder.

    A code file is for a practical when its name is ``<id>.py`` or ``<id>.ipynb`` up to case and a browser's
    download suffix (``SpaCy_NER.py``, ``spacy_ner (1).py``, ``spacy_ner.PY``). Of several files for one
    practical, the one named exactly so is graded (``.py`` before ``.ipynb``); without one, none is: a guess
    could grade the wrong file. Paths that are not ``.py``/``.ipynb`` files are left out."""
    from practicals import PRACTICALS

    named: dict[str, list[Path]] = {}
    other: list[Path] = []
    for path in paths:
        if path.suffix.lower() not in SUFFIXES:
            continue
        practical = _DOWNLOAD_COPY.sub("", path.stem).casefold()
        if practical in PRACTICALS:
            named.setdefault(practical, []).append(path)
        else:
            other.append(path)
    graded: dict[str, Path] = {}
    for practical, found in named.items():
        exact = [path for suffix in SUFFIXES for path in found if path.name == practical + suffix]
        if exact or len(found) == 1:
            graded[practical] = (exact or found)[0]
    return PracticalFiles(graded, named, other)


def find_submission_file(path: Path, practical: str) -> Path:
    """``path`` is a folder holding ``<practical>.py``/``.ipynb`` or a single file for one practical."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise SubmissionError(f"{path.name}: a submission must be a .py or .ipynb file")
        return path
    if not path.is_dir():
        raise SubmissionError(f"the submission {path} does not exist")
    found = practical_files(_top_level_files(path)).graded
    if practical in found:
        return found[practical]
    hints = "".join(f"; {hint}" for hint in missing_file_hints(path, practical))
    raise SubmissionError(
        f"no {practical}.py or {practical}.ipynb in the submission folder {path.name}/{hints}"
    )


def missing_file_hints(folder: Path, practical: str) -> list[str]:
    """What in ``folder`` looks meant for ``practical``, which has no graded file there, each with what to
    do: several files that could each be it, its file in a subfolder, a code file named close to it, an
    archive. Empty when nothing there is."""
    from graders.suggest import did_you_mean

    candidates = practical_files(_top_level_files(folder)).named.get(practical, [])
    hints = []
    if candidates:
        names = " and ".join(p.name for p in candidates)
        hints.append(
            f"{names} could each be {practical}: keep one, named {practical}.py or {practical}.ipynb"
        )
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not skipped_folder(here / d))
        for file in sorted(here / name for name in files if not name.startswith(".")):
            found = practical_files([file])
            if here != folder:
                if practical in found.named:
                    hints.append(
                        f"found {file.relative_to(folder).as_posix()}: move it to the folder's top level"
                    )
            elif found.other and did_you_mean(file.stem, [practical]):
                hints.append(f"found {file.name}: rename it to {practical}{file.suffix.lower()}")
            elif file.suffix.lower() in _ARCHIVES:
                hints.append(f"found {file.name}: unzip it into the folder")
    return hints


def _top_level_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def skipped_folder(folder: Path) -> bool:
    """Hidden folders, caches and virtualenvs: nobody keeps their work there (nor does ``quiz batch`` name
    them as folders it did not read). A folder that cannot be searched (its permissions) is not known to be
    a virtualenv: it may hold work, and is not skipped."""
    if folder.name.startswith(".") or folder.name in _NOT_SEARCHED:
        return True
    return os.path.exists(folder / "pyvenv.cfg")  # False where it cannot be searched: Path.exists raises


# ---- what of a submission runs ----


@dataclass(frozen=True)
class Skipped:
    """A statement (or cell, or line) of the submission that does not run when it is imported, and why."""

    cell: int | None  # the notebook cell; None in a .py file
    line: int
    code: str  # its first line, shortened
    reason: str

    @property
    def where(self) -> str:
        return _where(self.cell, self.line)

    def __str__(self) -> str:
        return f"{self.where}: {self.code}  ({self.reason})"


@dataclass(frozen=True)
class Prepared:
    """The submission's code as it runs on import: one code object per notebook cell (one for a file)."""

    code: tuple[types.CodeType, ...]
    skipped: tuple[Skipped, ...]
    imports: frozenset[str]  # top-level packages it imports


@dataclass(frozen=True)
class _Cell:
    number: int | None  # a notebook cell's number; None for a .py file
    lines: list[str]

    def skipped(self, line: int, reason: str) -> Skipped:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return Skipped(self.number, line, text if len(text) <= 60 else text[:57] + "...", reason)

    def syntax_error(self, file: Path, exc: SyntaxError) -> SubmissionError:
        return SubmissionError(
            f"{file.name} has a syntax error at {_where(self.number, exc.lineno or 1)}: {exc.msg}"
        )


def _where(cell: int | None, line: int) -> str:
    return f"line {line}" if cell is None else f"cell {cell}, line {line}"


def prepare(file: Path) -> Prepared:
    """The code of ``file`` that runs when it is imported, and what is skipped (see the module docstring).
    Raises SubmissionError when it cannot be read or does not compile."""
    cells, skipped = _trees(file)
    code = []
    for cell, tree in cells:
        try:
            code.append(compile(tree, str(file), "exec"))
        except SyntaxError as exc:  # what parses but does not compile, e.g. 'return' outside a function
            raise cell.syntax_error(file, exc) from None
    imports = set()
    for _, tree in cells:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imports |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imports.add(node.module.split(".")[0])
    return Prepared(tuple(code), tuple(skipped), frozenset(imports))


def notebook_source(path: Path) -> str:
    """The code of a notebook that runs when it is imported (its code cells without the skipped code)."""
    cells, _ = _trees(path)
    return "\n".join(f"# cell {cell.number}\n{ast.unparse(tree)}\n" for cell, tree in cells)


def _trees(file: Path) -> tuple[list[tuple[_Cell, ast.Module]], list[Skipped]]:
    """Each cell's (a file's) parsed code without the skipped statements, and what was skipped, in order."""
    try:
        if file.suffix.lower() == ".ipynb":
            sources = _notebook_cells(file)
        else:
            sources = [(None, file.read_text(encoding="utf-8-sig"))]  # as Windows editors save it, too
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{file.name} is not UTF-8 text: {exc}") from exc
    cells: list[tuple[_Cell, ast.Module]] = []
    skipped: list[Skipped] = []
    for number, source in sources:
        cell = _Cell(number, source.splitlines())
        if number is not None:
            source = _ipython_to_python(cell, skipped)
            if source is None:
                continue
        try:
            cells.append((cell, ast.parse(source, filename=str(file))))
        except SyntaxError as exc:
            raise cell.syntax_error(file, exc) from None
    skipped += _drop_demo_code(cells)
    return cells, sorted(skipped, key=lambda s: (s.cell or 0, s.line))


def _notebook_cells(path: Path) -> list[tuple[int | None, str]]:
    import nbformat

    try:
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise SubmissionError(f"{path.name} is not a readable notebook: {exc}") from exc
    return [
        (number, cell.source) for number, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"
    ]


def _ipython_to_python(cell: _Cell, skipped: list[Skipped]) -> str | None:
    """The cell's source with its IPython syntax made Python; None when the cell is not Python at all. A cell
    that parses stays as it is, so that a line of a string that starts with '%' or '!' is never touched."""
    source = "\n".join(cell.lines)
    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass
    lines = list(cell.lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if lines[first].lstrip().startswith("%%"):
        magic = (lines[first].strip()[2:].split() or [""])[0]
        if magic not in _PYTHON_CELL_MAGICS:
            skipped.append(cell.skipped(first + 1, f"cell magic %%{magic}: not Python"))
            return None
        lines[first] = ""
    for index, line in enumerate(lines):
        python = _python_line(line.strip())
        if python is not None:
            lines[index] = line[: len(line) - len(line.lstrip())] + python[0]
            skipped.append(cell.skipped(index + 1, python[1]))
    return "\n".join(lines)


def _python_line(line: str) -> tuple[str, str] | None:
    """A (stripped) line of IPython syntax as Python, and what it was; None for any other line."""
    if line.startswith("!"):
        return "pass", "shell command"
    if line.startswith("%"):
        return "pass", "IPython magic"
    if assignment := _SHELL_ASSIGNMENT.match(line):
        return f"{assignment['target']} = None", "IPython shell assignment: set to None"
    if _HELP.fullmatch(line):
        return "pass", "IPython help"
    return None


def _drop_demo_code(cells: list[tuple[_Cell, ast.Module]]) -> list[Skipped]:
    """Remove demo code from the top level of each cell's tree, cell after cell (a later cell may read what an
    earlier one set), and say what was removed."""
    skipped: list[Skipped] = []
    unbound: set[str] = set()  # names that only skipped statements set
    needed = _read_by_definitions(tree for _, tree in cells)
    for cell, tree in cells:
        kept: list[ast.stmt] = []
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and (front_end := _notebook_aliases(node)):
                unbound |= {_bound_name(node, alias) for alias in front_end}
                skipped.append(cell.skipped(node.lineno, "notebook-only module"))
                node.names = [alias for alias in node.names if alias not in front_end]
                if not node.names:
                    continue
            if _is_main_guard(node):  # does not run on import anyway: the module is not __main__
                unbound |= _binds(node)
                continue
            reason = _demo_reason(node, needed)
            if reason is None and (used := _reads(node) & unbound):
                reason = f"uses {', '.join(sorted(used))}, which only skipped code sets"
            if reason is None:
                kept.append(node)
                unbound -= _binds(node)
            else:
                unbound |= _binds(node)
                skipped.append(cell.skipped(node.lineno, reason))
        tree.body = kept
    return skipped


def _notebook_aliases(node: ast.Import | ast.ImportFrom) -> list[ast.alias]:
    """The names ``node`` imports from a notebook front-end module."""

    def front_end(module: str) -> bool:
        return any(module == name or module.startswith(name + ".") for name in NOTEBOOK_MODULES)

    if isinstance(node, ast.ImportFrom):
        return list(node.names) if not node.level and front_end(node.module or "") else []
    return [alias for alias in node.names if front_end(alias.name)]


def _bound_name(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    if alias.asname:
        return alias.asname
    return alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name


def _is_main_guard(node: ast.stmt) -> bool:
    if not (
        isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and len(node.test.comparators) == 1
    ):
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = {side.id for side in sides if isinstance(side, ast.Name)}
    values = {side.value for side in sides if isinstance(side, ast.Constant)}
    return isinstance(node.test.ops[0], ast.Eq) and names == {"__name__"} and values == {"__main__"}


def _demo_reason(node: ast.stmt, needed: set[str]) -> str | None:
    """Why ``node`` is demo code by itself, or None. A block that sets up what the file's functions read
    (``with open(...) as f: text = f.read()``, a vocabulary filled in a loop) is no demo, unless it trains."""
    if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
        return "top-level call" if isinstance(node.value, ast.Call) else "top-level expression"
    training = next(
        (
            sub.func.attr
            for sub in _executed(node)
            if isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in TRAINING_METHODS
        ),
        None,
    )
    if type(node) in _BLOCKS:
        feeds = training is None and (_binds(node) | _changes(node)) & needed
        return None if feeds else f"top-level {_BLOCKS[type(node)]}"
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and training is not None:
        return f"runs .{training}(...) on import"
    return None


def _read_by_definitions(trees: Iterable[ast.Module]) -> set[str]:
    """The names that the bodies of the top-level functions and classes read (the globals they may use), and
    the names read by the top-level statements that set those up, and so on."""
    body = [node for tree in trees for node in tree.body]
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    needed = {
        sub.id
        for node in body
        if isinstance(node, definitions)
        for sub in ast.walk(node)
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)
    }
    while True:
        more = {
            name
            for node in body
            if not isinstance(node, definitions) and (_binds(node) | _changes(node)) & needed
            for name in _reads(node)
        }
        if more <= needed:
            return needed
        needed |= more


def _changes(node: ast.stmt) -> set[str]:
    """The names whose object ``node`` changes in place: ``vocab[word] = i``, ``counts.update(...)``."""
    names = set()
    for sub in _executed(node):
        target = None
        if isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            target = sub.value
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in _MUTATORS:
            target = sub.func.value
        if isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _executed(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and the nodes under it that run when it runs: not the bodies of the functions it defines."""
    yield node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        decorators = [] if isinstance(node, ast.Lambda) else node.decorator_list
        children: Iterable[ast.AST] = [*decorators, *node.args.defaults, *filter(None, node.args.kw_defaults)]
    else:
        children = ast.iter_child_nodes(node)
    for child in children:
        yield from _executed(child)


def _reads(node: ast.stmt) -> set[str]:
    names = {sub.id for sub in _executed(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        names.add(node.target.id)
    return names


def _binds(node: ast.stmt) -> set[str]:
    names: set[str] = set()
    for sub in _executed(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names |= {_bound_name(sub, alias) for alias in sub.names if alias.name != "*"}
    return names


# ---- loading ----


def load_module(path: Path, practical: str, *, seed: int = 0) -> types.ModuleType:
    """Execute the submission file's code (``prepare``) as a fresh module named ``submission_<practical>``,
    with python, numpy and the deep-learning libraries it imports seeded with ``seed`` first."""
    from practicals.probing import seed_everything

    file = find_submission_file(path, practical)
    prepared = prepare(file)
    name = f"submission_{practical}"
    module = types.ModuleType(name)
    module.__file__ = str(file)
    sys.modules[name] = module
    try:
        seed_everything(seed, imports=prepared.imports)
        for code in prepared.code:
            exec(code, module.__dict__)  # noqa: S102 - running the student's code is the point
    except SystemExit as exc:
        raise SubmissionError(f"{file.name} called sys.exit({exc.code}) while being imported") from None
    except BaseException as exc:  # noqa: BLE001 - any import-time failure is the student's
        raise SubmissionError(f"importing {file.name} raised {_raised(exc)}") from None
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
            raise CheckFailed(f"`{name}` raised {_raised(exc)}") from exc

    return call


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _raised(exc: BaseException) -> str:
    """``Type: message`` of the student's exception, and what to do when it failed to reach the network."""
    text = f"{type(exc).__name__}: {_short(exc)}"
    return f"{text.rstrip('.')}; {_NETWORK_HINT}" if _network_failure(exc) else text


def _network_failure(exc: BaseException) -> bool:
    """Whether ``exc``, or an exception that caused it, is a failure to reach the network."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if any(kind.__name__ in _NETWORK_ERRORS for kind in type(current).__mro__) or (
            isinstance(current, OSError) and current.errno in _NETWORK_ERRNOS
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
