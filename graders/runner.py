"""Grade a practical submission: probes run in a sandboxed worker, judges run here.

``grade_submission`` is the one entry point (the CLI, batch grading and tests call it). It imports
``practicals.<id>.checks`` for the registered checks, prepares a temporary work dir holding only a
copy of the submission plus a bundle of the probe modules the worker may import, asks the worker
(graders.sandbox) for each check's observation and decides the verdict with the check's judge in
this process. Whatever the worker does, it can only send an observation (JSON) or fail: a check
without an observation earns nothing and its message names what happened.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import logging
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from importlib import metadata
from pathlib import Path

from graders import tiny_gpt2
from graders.assets import write_spacy_stand_in
from graders.errors import GradingError, InputError, cannot_read
from graders.results import CheckResult, Metadata, Report
from graders.sandbox import Limits, Reply, SandboxLayout, Worker, features_in_use
from graders.start_up_noise import quiet_start_up
from practicals import PRACTICALS, PRACTICALS_DIR, practical_dir
from practicals.check import REGISTRY, Check, CheckFailed
from practicals.submission import SUFFIXES, SubmissionError, find_submission_file, practical_files

logger = logging.getLogger(__name__)

GRADERS_DIR = Path(__file__).resolve().parent
# Modules of graders that probes may import inside the sandbox, besides the practicals framework
# (the top-level modules of practicals/); everything else (checks, solutions, the runner, the banks)
# stays out of the worker's view.
_GRADERS_FOR_PROBES = (
    "__init__.py",
    "errors.py",
    "suggest.py",
    "assets",
    "tiny_gpt2.py",
    "worker.py",
    "data",
)
_SLOW_IMPORT = (
    "the code at the top level of your file runs when the checks import it: move slow set-up into your "
    'functions, and demo code under `if __name__ == "__main__":`'
)
_HIDDEN_DETAIL = re.compile(r"^(`\w+` raised \w+|the check could not complete: \w+)")
# what of a submission folder is not copied into the sandbox
_NOT_COPIED = ("__pycache__", ".git", ".ipynb_checkpoints", ".venv")


def runner_version() -> str:
    try:
        return metadata.version("attention-quiz")
    except metadata.PackageNotFoundError:
        return "unknown"


def grade_submission(
    path: Path | str,
    *,
    practicals: Sequence[str] | None = None,
    visibility: Iterable[str] = ("visible", "hidden"),
    limits: Limits = Limits(),  # noqa: B008 - frozen, so a shared default is safe
    seed: int = 0,
    on_start: Callable[[str, Path], None] | None = None,
) -> Report:
    """Grade ``path`` (a folder of ``<id>.py``/``.ipynb`` files, or one file) against the checks.
    ``on_start(practical, file)`` is called when the checks of a submitted practical start."""
    path = Path(path)
    _check_readable(path)  # first: Path.exists raises where the folder that holds it cannot be searched
    if not path.exists():
        raise InputError(f"submission {path} does not exist", hint="pass a folder or a .py/.ipynb file")
    visibility = tuple(visibility)
    chosen = _choose_practicals(path, practicals)
    started_wall, started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="quiz-grade-") as tmp:
        root = Path(tmp)
        root.chmod(0o711)  # the worker's uid may traverse to its own folders but list nothing
        layout = _prepare(root, chosen)
        files = _copy_submission(path, layout.workdir, chosen)
        grading = _Grading(layout, limits, seed, files, on_start)
        try:
            # The worker is already importing the probes' libraries; the judges' imports overlap with it.
            checks = {p: [c for c in load_checks(p) if c.visibility in visibility] for p in chosen}
            results = grading.run(checks, started + limits.submission_timeout)
        finally:
            grading.close()
    return Report(
        submission=str(path),
        checks=tuple(results),
        metadata=Metadata(
            runner_version=runner_version(),
            bundle_hash=bundle_hash(chosen),
            seed=seed,
            started=started_wall,
            duration=round(time.monotonic() - started, 3),
            isolation=tuple(features_in_use()),
            practicals=tuple(chosen),
            visibility=visibility,
        ),
    )


def available_practicals() -> list[str]:
    """Practicals whose checks exist."""
    return [p for p in PRACTICALS if (practical_folder(p) / "checks.py").is_file()]


def practical_folder(practical: str) -> Path:
    """The folder of ``practicals.<id>`` (found through the package path, so tests can add practicals)."""
    spec = importlib.util.find_spec(f"practicals.{practical}")
    if spec is None or not spec.submodule_search_locations:
        return PRACTICALS_DIR / practical
    return Path(next(iter(spec.submodule_search_locations)))


def _choose_practicals(path: Path, practicals: Sequence[str] | None) -> list[str]:
    if practicals:
        for practical in practicals:
            practical_dir(practical)  # unknown ids raise InputError with a did-you-mean hint
            if not (practical_folder(practical) / "checks.py").is_file():
                raise GradingError(f"practical {practical!r} has no checks yet", hint="ask the instructor")
        if path.is_file() and len(practicals) != 1:
            raise InputError("a single submission file is graded for exactly one --practical")
        return list(dict.fromkeys(practicals))
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise InputError(f"{path.name}: a submission must be a folder or a .py/.ipynb file")
        named = practical_files([path]).named
        if named:
            return list(named)
        from graders.suggest import did_you_mean

        raise InputError(
            f"cannot tell which practical {path.name} is for{did_you_mean(path.stem, PRACTICALS)}",
            hint="name the file <practical id>.py or pass --practical ID",
        )
    chosen = available_practicals()
    if not chosen:
        raise GradingError("no practical has checks yet")
    return chosen


def load_checks(practical: str) -> list[Check]:
    """The practical's checks. Importing them loads TensorFlow for the Keras practicals (their probes use
    it): its start-up lines are left out of stderr (``quiet_start_up``). Only the import that loads them
    needs that: a batch asks again for each file, and the module is imported by then (a pipe and a relay
    thread per call for nothing)."""
    module = f"practicals.{practical}.checks"
    with quiet_start_up() if module not in sys.modules else nullcontext():
        importlib.import_module(module)
    return list(REGISTRY.get(practical, []))


def _prepare(root: Path, practicals: Sequence[str]) -> SandboxLayout:
    workdir, home, bundle = root / "work", root / "home", root / "bundle"
    for folder in (workdir, home):
        folder.mkdir(mode=0o700)
    (bundle / "practicals").mkdir(parents=True)
    for source in _framework():
        shutil.copy2(source, bundle / "practicals" / source.name)
    for practical in practicals:
        folder, staged = practical_folder(practical), bundle / "practicals" / practical
        staged.mkdir()
        for name in _probe_modules(folder, practical):
            shutil.copy2(folder / name, staged / name)
    write_spacy_stand_in(bundle)
    (bundle / "graders").mkdir()
    for name in _GRADERS_FOR_PROBES:
        source = GRADERS_DIR / name
        if source.is_dir():
            shutil.copytree(source, bundle / "graders" / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, bundle / "graders" / name)
    bundle.chmod(0o755)
    return SandboxLayout(
        workdir=workdir, home=home, bundle=bundle, readonly=_asset_dirs(), hide=_private_dirs()
    )


def _asset_dirs() -> list[Path]:
    """Model and data assets the probes read (read-only in the sandbox)."""
    found: list[Path] = []
    try:
        from graders import assets

        found.append(Path(assets.assets_dir()))
    except (ImportError, AttributeError, OSError):
        logger.debug("graders.assets not available; no asset folder is shared with the worker")
    return [p.resolve() for p in found if p.is_dir()]


def _private_dirs() -> list[Path]:
    """Folders the worker must not see (checks, solutions, banks, the runner): the project's packages
    and, in a source checkout, every top-level folder of the project except its virtualenv."""
    private = {PRACTICALS_DIR, GRADERS_DIR}
    for package in ("quiz", "bank"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            private.add(Path(next(iter(spec.submodule_search_locations))).resolve())
    project = PRACTICALS_DIR.parent
    if (project / "pyproject.toml").is_file():
        private |= {
            entry
            for entry in project.iterdir()
            if entry.is_dir() and not entry.name.startswith(".") and not (entry / "pyvenv.cfg").exists()
        }
    return sorted(private)


def _check_readable(path: Path) -> None:
    """Raise an ``InputError`` for the first file or folder of the submission ``path`` that cannot be read
    (its permissions), before any of it is copied: a file that cannot be opened, a folder that cannot be
    listed or searched. Symbolic links are copied as links, so what they point to is not read."""
    inside: list[Path] = []
    try:
        if path.is_file():
            path.open("rb").close()
        elif path.is_dir():
            inside = [p for p in sorted(path.iterdir()) if p.name not in _NOT_COPIED and not p.is_symlink()]
    except OSError as exc:
        raise cannot_read(path, exc) from None
    for each in inside:
        _check_readable(each)


def _copy_submission(path: Path, workdir: Path, practicals: Sequence[str]) -> dict[str, Path | str]:
    """Copy the submission into the work dir; practical -> its copied file, or why it is missing."""
    files: dict[str, Path | str] = {}
    if path.is_dir():
        shutil.copytree(
            path,
            workdir,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(*_NOT_COPIED),
            symlinks=True,
        )
    for practical in practicals:
        try:
            source = find_submission_file(path, practical)
        except SubmissionError as exc:
            files[practical] = exc.message
            continue
        target = workdir / (source.name if path.is_dir() else f"{practical}{source.suffix}")
        if path.is_file():
            shutil.copy2(source, target)
        files[practical] = target
    return files


def _probe_modules(folder: Path, practical: str) -> list[str]:
    """``__init__.py``, ``probes.py``, the modules of the practical that they import (transitively)
    and its data files. Judge-side modules (checks, solution, references the judges compute with) and
    files named ``hidden*`` are left out."""
    wanted, todo = {"__init__.py"}, ["probes.py"]
    package = f"practicals.{practical}"
    while todo:
        name = todo.pop()
        if name in wanted or not (folder / name).is_file():
            continue
        wanted.add(name)
        for node in ast.walk(ast.parse((folder / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                todo += [f"{alias.name}.py" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
                todo.append(node.module.removeprefix(package + ".").split(".")[0] + ".py")
            elif isinstance(node, ast.Import):
                todo += [
                    a.name.removeprefix(package + ".").split(".")[0] + ".py"
                    for a in node.names
                    if a.name.startswith(package + ".")
                ]
    data = {
        e.name
        for e in folder.iterdir()
        if e.is_file() and e.suffix != ".py" and not e.name.startswith("hidden")
    }
    return sorted((wanted - {"checks.py", "solution.py"}) | data)


def _probe_graders_code() -> list[Path]:
    """The Python files of the graders modules probes may import."""
    found: list[Path] = []
    for name in _GRADERS_FOR_PROBES:
        source = GRADERS_DIR / name
        if source.is_dir():
            found += sorted(p for p in source.rglob("*.py") if not _skipped(p.relative_to(source)))
        elif source.suffix == ".py" and source.is_file():
            found.append(source)
    return found


def _framework() -> list[Path]:
    """The shared modules of the practicals package (check model, probing helpers, submission loader)."""
    return sorted(PRACTICALS_DIR.glob("*.py"))


# Files of a practical's folder that only students read: the starter kit's template and task
# description (copied by 'quiz practicals init'). Neither judges nor probes use them.
STUDENT_FACING = frozenset({"template.py", "task.md"})


def _skipped(relative: Path) -> bool:
    """Caches and hidden (dot) files: never part of what grades."""
    return any(part == "__pycache__" or part.startswith(".") for part in relative.parts)


def _judge_side(folder: Path) -> list[Path]:
    """Every file of a practical's folder that can change a grade: its checks and probes, the modules
    and data they use (references, helpers, hidden inputs) and the reference solution; not the
    student-facing files, caches or hidden (dot) files."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and relative.as_posix() not in STUDENT_FACING and not _skipped(relative):
            found.append(path)
    return sorted(found)


def bundle_hash(practicals: Sequence[str]) -> str:
    """sha256 over the check framework and the judge-side files of ``practicals``, so that editing any
    of them regrades (``quiz batch`` stores it in every practical's version)."""
    digest = hashlib.sha256()
    sources = [(f"{PRACTICALS_DIR.name}/{path.name}", path) for path in _framework()]
    # the graders code probes import (asset helpers, the small GPT-2's recipe); not the data folder, whose
    # calibrations only grade theory answers: its corpus counts through the GPT-2 recipe
    sources += [(f"graders/{p.relative_to(GRADERS_DIR).as_posix()}", p) for p in _probe_graders_code()]
    digest.update(tiny_gpt2.recipe_key().encode() + b"\0")
    for practical in sorted(practicals):
        folder = practical_folder(practical)
        sources += [(f"{practical}/{p.relative_to(folder).as_posix()}", p) for p in _judge_side(folder)]
    for name, source in sources:
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


class _Grading:
    """Run the checks of one submission, replacing the worker after a timeout or crash."""

    def __init__(
        self,
        layout: SandboxLayout,
        limits: Limits,
        seed: int,
        files: dict[str, Path | str],
        on_start: Callable[[str, Path], None] | None,
    ) -> None:
        self.layout, self.limits, self.seed, self.files, self.on_start = layout, limits, seed, files, on_start
        self.submitted = [p for p, file in files.items() if isinstance(file, Path)]
        self.worker = Worker(layout, limits, preload=self.submitted) if self.submitted else None
        self.broken: dict[str, str] = {}  # practical -> why its file could not be imported

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()

    def run(self, checks: dict[str, list[Check]], deadline: float) -> list[CheckResult]:
        results: list[CheckResult] = []
        for practical, practical_checks in checks.items():
            file = self.files[practical]
            if self.on_start is not None and isinstance(file, Path):
                self.on_start(practical, file)
            # Visible checks first, so nothing a hidden check's inputs left behind reaches visible output.
            ordered = sorted(practical_checks, key=lambda c: c.visibility != "visible")
            for check in ordered:
                results.append(self._one(check, deadline))
        order = {(c.practical, c.name): i for i, c in enumerate(c for cs in checks.values() for c in cs)}
        return sorted(results, key=lambda r: order[(r.practical, r.name)])

    def _one(self, check: Check, deadline: float) -> CheckResult:
        file = self.files[check.practical]
        if not isinstance(file, Path):
            return _result(check, "not_submitted", f"not submitted: {file}", 0.0)
        if check.practical in self.broken:
            return _result(check, "failed", self.broken[check.practical], 0.0)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _result(
                check,
                "not_run",
                f"not run: the submission's time limit of {self.limits.submission_timeout:g} s "
                "was used up by the checks before it",
                0.0,
            )
        if self.worker is None or not self.worker.alive:
            self.worker = Worker(self.layout, self.limits, preload=self.submitted)
        first = check.practical not in self.worker.loaded
        timeout = min(check.timeout, self.limits.check_timeout) + (
            self.limits.import_timeout if first else 0.0
        )
        start = time.monotonic()
        reply = self.worker.request(
            {
                "check": check.name,
                "practical": check.practical,
                "probe": check.probe_name,
                "kwargs": check.probe_kwargs,
                "seed": self.seed,
                "submission": str(file),
            },
            min(timeout, remaining),
        )
        duration = round(time.monotonic() - start, 3)
        if reply.kind in ("timeout", "crashed"):
            if check.practical not in self.worker.loaded:
                what = (
                    "did not finish importing" if reply.kind == "timeout" else "crashed while being imported"
                )
                self.broken[check.practical] = f"{file.name} {what}: {reply.message}"
                if reply.kind == "timeout":
                    self.broken[check.practical] += f" ({_SLOW_IMPORT})"
                message = self.broken[check.practical]
            elif reply.kind == "timeout" and timeout > remaining:
                message = (
                    f"the submission's time limit of {self.limits.submission_timeout:g} s ran out during "
                    "this check; the process group was killed"
                )
            else:
                message = reply.message
            self.worker = None
            return _result(check, reply.kind, message, duration, reply.output)
        return _judge(check, reply, duration)


def _judge(check: Check, reply: Reply, duration: float) -> CheckResult:
    if reply.kind != "observation":
        return _result(check, reply.kind, _shown(check, reply.message), duration, reply.output)
    try:
        check.judge(reply.observation or {})
    except CheckFailed as exc:
        return _result(check, "failed", exc.message, duration, reply.output)
    except Exception as exc:  # noqa: BLE001 - a malformed observation fails the check, never the run
        return _result(
            check,
            "error",
            f"the observation could not be judged ({type(exc).__name__}: {exc})"[:500],
            duration,
            reply.output,
        )
    return _result(check, "passed", "", duration, reply.output, points=check.points)


def _shown(check: Check, message: str) -> str:
    """Hidden checks pass hidden inputs to the student's code: drop the student's exception text,
    which may echo them, and keep the function name and the exception type."""
    if check.visibility != "hidden":
        return message
    match = _HIDDEN_DETAIL.match(message)
    return f"{match.group(1)} (details of hidden checks are not shown)" if match else message


def _result(
    check: Check, status: str, message: str, duration: float, output: str = "", *, points: float = 0.0
) -> CheckResult:
    return CheckResult(
        practical=check.practical,
        name=check.name,
        description=check.description,
        points=points,
        max_points=check.points,
        status=status,  # type: ignore[arg-type]
        message=message,
        visibility=check.visibility,
        duration=duration,
        output="" if check.visibility == "hidden" else output,
    )
