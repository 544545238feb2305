"""Shared test set-up: keep TensorFlow/torch quiet and deterministic, never reach a model hub; take
permissions away from files and folders, even where the tests run as root (``chmod``)."""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def reads_everything(tmp_path_factory: pytest.TempPathFactory) -> bool:
    """Whether this process reads a file whatever its permissions (root, with its capabilities)."""
    probe = tmp_path_factory.mktemp("permissions") / "probe"
    probe.touch(mode=0)
    try:
        probe.read_bytes()
    except PermissionError:
        return False
    return True


@pytest.fixture
def chmod(monkeypatch: pytest.MonkeyPatch, reads_everything: bool) -> Iterator[Callable[[Path, int], None]]:
    """``chmod(path, mode)`` sets ``path``'s permissions until the test ends, as a user without root's
    privileges sees them: where this process reads everything anyway (root, as in CI), the OS calls that
    the permissions would refuse fail as the OS fails them (listing a folder or opening a file without read
    permission, anything inside a folder without search permission). To have the OS refuse them as root:
    ``setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search --
    .venv/bin/pytest ...``."""
    modes: dict[str, int] = {}
    given: dict[Path, int] = {}

    def denied(path: Any, reads: bool) -> bool:
        if isinstance(path, int):  # a file descriptor, opened before
            return False
        path = os.path.abspath(os.fsdecode(path))
        unsearchable = [folder for folder, mode in modes.items() if not mode & stat.S_IXUSR]
        inside = any(path.startswith(folder + os.sep) for folder in unsearchable)
        return inside or (reads and not modes.get(path, stat.S_IRUSR) & stat.S_IRUSR)

    def refusing(call: Callable[..., Any], *, reads: bool) -> Callable[..., Any]:
        def refused(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("dir_fd") is None and denied(path, reads):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
            return call(path, *args, **kwargs)

        return refused

    if reads_everything:
        monkeypatch.setattr(os, "stat", refusing(os.stat, reads=False))
        monkeypatch.setattr(os, "listdir", refusing(os.listdir, reads=True))
        monkeypatch.setattr(os, "scandir", refusing(os.scandir, reads=True))
        monkeypatch.setattr(io, "open", refusing(io.open, reads=True))  # pathlib's reads

    def change(path: Path, mode: int) -> None:
        given.setdefault(path, stat.S_IMODE(path.stat().st_mode))
        path.chmod(mode)
        modes[os.path.abspath(path)] = mode

    yield change
    for path, mode in reversed(given.items()):  # the last changed first: it may hold the ones before
        path.chmod(mode)
