"""Run untrusted probe code in an isolated, limited worker process and talk to it in JSON only.

Design (measured, see benchmarks/runner_overhead.py): **one sandboxed worker per submission** runs
that submission's probes sequentially, so TensorFlow/torch/spaCy are imported and a submission is
loaded once, as under plain pytest. A worker is replaced by a fresh one only after it timed out or
died. Forking a fresh child per check from a pre-imported zygote was rejected: TensorFlow's thread
pools do not survive ``fork`` once a probe has used them, and reloading models per check costs more
than the isolation between one student's own checks is worth.

Isolation, strongest available first (``isolation_features()`` reports what is active):

- **bubblewrap** (``bwrap``): a new root holding read-only views of the system, the Python
  installation and virtualenv, a staged bundle of the probe modules (never ``solution.py`` or
  ``checks.py``), the model assets, and a writable work dir and home; new network and pid namespaces;
  ``--die-with-parent``.
- as root without bubblewrap: ``unshare --net --mount`` and the worker mounts empty tmpfs over the
  project's source folders before it runs anything of the student's.
- as root either way, the worker drops to a dedicated unprivileged uid, so RLIMIT_NPROC is enforced
  (it never is for uid 0) and files the runner keeps private are unreadable.
- always: its own session/process group (killed as a whole on a limit), rlimits on data memory
  (RLIMIT_DATA, not RLIMIT_AS: TensorFlow and torch reserve gigabytes of address space they never
  touch), tasks, file size and core dumps, and output drained by threads into a capped buffer.

The parent never unpickles anything: each reply is one size-capped JSON line on a private pipe.
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import os
import queue
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graders.start_up_noise import without_start_up_noise

logger = logging.getLogger(__name__)

KiB, MiB, GiB = 1024, 1024**2, 1024**3
_SANDBOX_UID_BASE = 200_000  # dedicated uids for workers when the runner is root; never in /etc/passwd
_ENV_PREFIXES = (
    "QUIZ_",
    "HF_",
    "TRANSFORMERS_",
    "TF_",
    "KERAS_",
    "NLTK_",
    "TOKENIZERS_",
    "OMP_",
    "MKL_",
    "CUDA_",
    "LANG",
    "LC_",
    "PYTHONHASHSEED",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits for grading one submission."""

    check_timeout: float = 120.0  # caps each check's own declared timeout
    submission_timeout: float = 1800.0
    import_timeout: float = 60.0  # extra time for the check that first imports a practical's file
    memory_bytes: int = 4 * GiB  # RLIMIT_DATA of the worker (measured peak for TF+torch+spaCy: ~0.8 GiB)
    max_processes: int = 256  # tasks (threads count too: TF and torch start a few dozen)
    output_bytes: int = 64 * KiB  # captured stdout/stderr kept per check; the rest is discarded
    observation_bytes: int = 1 * MiB
    file_bytes: int = 256 * MiB  # largest file the worker may write


@dataclass(frozen=True)
class IsolationFeature:
    name: str
    available: bool
    detail: str


@dataclass(frozen=True)
class Reply:
    """What became of one probe request."""

    kind: Literal["observation", "failed", "error", "timeout", "crashed"]
    observation: dict[str, Any] | None = None
    message: str = ""
    output: str = ""


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@functools.cache
def _bwrap_works() -> tuple[bool, str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bwrap not found (Debian package bubblewrap)"
    command = [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--die-with-parent"]
    if not _is_root():
        command.append("--unshare-user")
    try:
        done = subprocess.run([*command, "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap cannot start: {exc}"
    if done.returncode != 0:
        return False, f"bwrap cannot create namespaces here: {done.stderr.strip()[:200]}"
    return True, bwrap


@functools.cache
def _unshare_works() -> bool:
    if not _is_root() or shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _python_dirs() -> set[Path]:
    return {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent}


def _can_drop_uid() -> bool:
    """Root can run the worker under a dedicated uid if that uid can still reach Python: bwrap
    recreates the parents of every bound folder as traversable; otherwise each parent must be."""
    if not _is_root():
        return False
    if _mode() == "bwrap":
        return True
    return all(
        os.stat(parent).st_mode & stat.S_IXOTH for path in _python_dirs() for parent in (path, *path.parents)
    )


def _mode() -> Literal["bwrap", "unshare", "plain"]:
    if _bwrap_works()[0]:
        return "bwrap"
    return "unshare" if _unshare_works() else "plain"


def isolation_features() -> list[IsolationFeature]:
    """Which isolation mechanisms grading uses on this machine (``quiz doctor`` lists them)."""
    bwrap_ok, bwrap_detail = _bwrap_works()
    mode = _mode()
    drop = _can_drop_uid()
    hidden_detail = {
        "bwrap": "bubblewrap root: system, Python, probe modules and assets only, read-only",
        "unshare": "mount namespace with the project's source folders covered by empty tmpfs",
        "plain": "unavailable: without bubblewrap or root the submission can read the reference files",
    }[mode]
    return [
        IsolationFeature("bubblewrap", bwrap_ok, f"{bwrap_detail} works" if bwrap_ok else bwrap_detail),
        IsolationFeature("filesystem view", mode != "plain", hidden_detail),
        IsolationFeature(
            "no network",
            mode != "plain",
            "network namespace without interfaces" if mode != "plain" else "unavailable: needs bwrap or root",
        ),
        IsolationFeature(
            "pid namespace", mode == "bwrap", "bubblewrap --unshare-pid" if mode == "bwrap" else "needs bwrap"
        ),
        IsolationFeature(
            "unprivileged uid",
            drop,
            "worker drops to a dedicated uid, so the process limit is enforced"
            if drop
            else "the worker keeps the runner's uid (the process limit counts all of that uid's processes)",
        ),
        IsolationFeature("resource limits", True, "RLIMIT_DATA, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CORE"),
        IsolationFeature("process group kill", True, "own session; the whole group is killed on a limit"),
    ]


def features_in_use() -> list[str]:
    return [feature.name for feature in isolation_features() if feature.available]


# ---------------------------------------------------------------- worker process management ----


class _CappedOutput:
    """Drain a pipe in a thread; keep the first ``cap`` bytes since the last ``take()``."""

    def __init__(self, stream: Any, cap: int) -> None:
        self._stream, self._cap = stream, cap
        self._lock = threading.Lock()
        self._kept = bytearray()
        self._dropped = 0
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        # Read and keep under one lock, so that bytes gone from the pipe are always in ``_kept`` for
        # ``take()`` (a read outside the lock lost a check's last prints to the next check now and then).
        fd = self._stream.fileno()
        while True:
            select.select([fd], [], [])
            with self._lock:
                chunk = os.read(fd, 64 * KiB)
                if not chunk:
                    return
                room = self._cap - len(self._kept)
                self._kept += chunk[: max(room, 0)]
                self._dropped += max(len(chunk) - max(room, 0), 0)

    def settle(self) -> None:
        """Wait (briefly) until the drain thread has read what is already in the pipe."""
        for _ in range(100):
            pending = struct.unpack("i", fcntl.ioctl(self._stream.fileno(), termios.FIONREAD, b"\0" * 4))[0]
            if pending == 0:
                return
            time.sleep(0.002)

    def take(self) -> str:
        """What was kept, without TensorFlow's start-up lines (a submission that imports it prints them)."""
        with self._lock:
            text = without_start_up_noise(self._kept.decode("utf-8", errors="replace"))
            if self._dropped:
                text += f"\n[... {self._dropped} more bytes of output discarded]"
            self._kept, self._dropped = bytearray(), 0
        return text

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


class _Replies:
    """Read the worker's JSON lines (each capped in size) into a queue; ``None`` marks the end."""

    def __init__(self, stream: Any, cap: int) -> None:
        self._stream, self._cap = stream, cap
        self.queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                line = self._stream.readline(self._cap + 1)
                if not line:
                    break
                if len(line) > self._cap and not line.endswith(b"\n"):
                    self.queue.put(
                        {"kind": "error", "message": f"the observation exceeded {self._cap} bytes"}
                    )
                    while (rest := self._stream.readline(self._cap)) and not rest.endswith(b"\n"):
                        pass
                    continue
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    message = {"kind": "error", "message": "the worker sent a reply that is not JSON"}
                self.queue.put(
                    message if isinstance(message, dict) else {"kind": "error", "message": "bad reply"}
                )
        finally:
            self.queue.put(None)


@dataclass
class SandboxLayout:
    """Paths the parent prepares for one submission: the work dir (student-writable), a home, and
    the bundle of modules the worker may import, plus read-only extras (model assets)."""

    workdir: Path
    home: Path
    bundle: Path
    readonly: list[Path] = field(default_factory=list)
    hide: list[Path] = field(default_factory=list)  # project folders to cover when bwrap is missing


class Worker:
    """One sandboxed worker process; ``request`` sends a probe request and waits for its reply."""

    _counter = 0

    def __init__(self, layout: SandboxLayout, limits: Limits, *, preload: Sequence[str] = ()) -> None:
        self.limits = limits
        self.loaded: set[str] = set()  # practicals whose submission import finished in this worker
        self.uid = self._pick_uid() if _can_drop_uid() else None
        if self.uid is not None:
            for path in (layout.workdir, layout.home):
                for root, dirs, files in os.walk(path):
                    for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                        os.chown(name, self.uid, self.uid)
        reply_read, reply_write = os.pipe()
        command = [
            *self._wrapper(layout),
            sys.executable,
            "-m",
            "graders.worker",
            "--reply-fd",
            str(reply_write),
        ]
        command += ["--memory", str(limits.memory_bytes), "--files", str(limits.file_bytes)]
        command += ["--tasks", str(self._task_limit(limits))]
        if self.uid is not None:
            command += ["--uid", str(self.uid)]
        if _mode() == "unshare":
            for path in layout.hide:
                command += ["--hide", str(path)]
        if preload:
            command += ["--preload", ",".join(preload)]
        self.started = time.monotonic()
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(reply_write,),
                start_new_session=True,
                cwd=layout.workdir,
                env=_worker_env(layout),
            )
        finally:
            os.close(reply_write)
        self._output = _CappedOutput(self.process.stdout, limits.output_bytes)
        self._replies = _Replies(os.fdopen(reply_read, "rb"), limits.observation_bytes)
        self._dead = False
        self._sent = 0

    @classmethod
    def _pick_uid(cls) -> int:
        cls._counter += 1
        return _SANDBOX_UID_BASE + (os.getpid() * 97 + cls._counter) % 100_000

    def _task_limit(self, limits: Limits) -> int:
        if self.uid is not None:
            return limits.max_processes
        # Unprivileged: RLIMIT_NPROC counts every process of the user, so allow that many more.
        return _tasks_of_uid(os.getuid()) + limits.max_processes

    @staticmethod
    def _wrapper(layout: SandboxLayout) -> list[str]:
        mode = _mode()
        if mode == "unshare":
            return ["unshare", "--net", "--mount", "--propagation", "private", "--"]
        if mode == "plain":
            return []
        bwrap = _bwrap_works()[1]
        args = [
            bwrap,
            "--unshare-net",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--die-with-parent",
        ]
        if not _is_root():
            args.append("--unshare-user")
        args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        args += ["--perms", "1777", "--tmpfs", "/dev/shm"]  # joblib/torch semaphores and shared memory
        readonly = sorted({*_python_dirs(), layout.bundle, *layout.readonly})
        created: set[str] = {"/", "/tmp", "/usr", "/etc", "/proc", "/dev"}
        for path in readonly:
            if any(path.is_relative_to(parent) and path != parent for parent in readonly):
                continue  # already visible through its parent's bind
            args += _parents(path, created) + ["--ro-bind", str(path), str(path)]
        for path in layout.hide:
            if any(path.is_relative_to(parent) for parent in readonly):
                args += ["--tmpfs", str(path)]  # e.g. the project installed into the virtualenv
        for path in (layout.workdir, layout.home):
            args += _parents(path, created) + ["--bind", str(path), str(path)]
        return [*args, "--chdir", str(layout.workdir), "--"]

    def request(self, message: dict[str, Any], timeout: float) -> Reply:
        """Send one probe request; wait at most ``timeout`` seconds for its final reply."""
        self._output.take()  # output before this request belongs to no check
        self._sent += 1
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({**message, "id": self._sent}).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            pass  # the worker is gone; its end is reported below
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                reply = self._replies.queue.get(timeout=max(remaining, 0))
            except queue.Empty:
                self.kill()
                return Reply(
                    "timeout",
                    message=f"no result within the per-check time limit of {timeout:g} s; "
                    "the process group was killed",
                    output=self._output.take(),
                )
            if reply is None:
                message = self._ending()  # before the kill, which would mask the exit status
                self.kill()
                return Reply("crashed", message=message, output=self._output.take())
            if reply.get("id", self._sent) != self._sent:
                continue  # a stale or duplicated reply (e.g. from a forked copy of the worker)
            if reply.get("kind") == "loaded":
                self.loaded.add(str(reply.get("practical")))
                continue
            self._output.settle()  # the worker flushed before replying: collect the probe's last prints
            return _parse_reply(reply, self._output.take())

    def _ending(self) -> str:
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        limits = (
            f"(limits: memory {self.limits.memory_bytes / GiB:g} GiB, "
            f"{self.limits.max_processes} processes, files {self.limits.file_bytes / MiB:g} MiB)"
        )
        if code is None:
            return f"the submission's process stopped answering {limits}"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return f"the submission's process was killed by {name} {limits}"
        return f"the submission's process exited with status {code} before the check finished"

    @property
    def alive(self) -> bool:
        return not self._dead and self.process.poll() is None

    def kill(self) -> None:
        """Kill the worker's whole process group (and, with a dedicated uid, every process of it)."""
        if self._dead:
            return
        self._dead = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.uid is not None:
            _kill_uid(self.uid)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            logger.warning("worker %s did not exit after SIGKILL", self.process.pid)
        self._output.join(1.0)

    def close(self) -> None:
        if self.alive and self.process.stdin is not None:
            try:
                self.process.stdin.close()  # the worker exits on end of input
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


def _parse_reply(reply: dict[str, Any], output: str) -> Reply:
    kind = reply.get("kind")
    message = reply.get("message")
    message = message[:2000] if isinstance(message, str) else ""
    if kind == "observation" and isinstance(reply.get("observation"), dict):
        return Reply("observation", observation=reply["observation"], output=output)
    if kind in ("failed", "error"):
        return Reply(kind, message=message, output=output)
    return Reply("error", message=message or "the worker sent an unexpected reply", output=output)


def _parents(path: Path, created: set[str]) -> list[str]:
    """bwrap creates missing parents with mode 0700; make them traversable for the worker's uid."""
    args: list[str] = []
    for parent in reversed(path.parents):
        if str(parent) not in created:
            created.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def _worker_env(layout: SandboxLayout) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)}
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        HOME=str(layout.home),
        TMPDIR=str(layout.home),
        MPLCONFIGDIR=str(layout.home),
        PYTHONPATH=str(layout.bundle),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        CUDA_VISIBLE_DEVICES="",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def _tasks_of_uid(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.stat(entry.path).st_uid == uid:
                    count += len(os.listdir(os.path.join(entry.path, "task")))
            except OSError:
                continue
    return count


def _kill_uid(uid: int) -> None:
    """SIGKILL every process owned by a worker's dedicated uid (escapees from its process group)."""
    for _ in range(3):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if os.stat(entry.path).st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
                    found = True
            except (OSError, ProcessLookupError):
                continue
        if not found:
            return
        time.sleep(0.05)
