"""The sandbox: which isolation is active, and what the worker can see and send."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

import pytest

from graders.sandbox import IsolationFeature, _CappedOutput, isolation_features
from tests.test_runner import LIMITS, assert_contained, grade_case, test_practicals  # noqa: F401 - fixture

NAMES = [
    "bubblewrap",
    "filesystem view",
    "no network",
    "pid namespace",
    "unprivileged uid",
    "resource limits",
    "process group kill",
]


def test_isolation_features_report_every_mechanism() -> None:
    features = isolation_features()
    assert [f.name for f in features] == NAMES
    assert all(
        isinstance(f, IsolationFeature) and isinstance(f.available, bool) and f.detail for f in features
    )
    by_name = {f.name: f for f in features}
    assert by_name["resource limits"].available and by_name["process group kill"].available
    if by_name["bubblewrap"].available:
        assert by_name["filesystem view"].available and by_name["no network"].available
    if os.geteuid() != 0:
        assert not by_name["unprivileged uid"].available


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_worker_sees_only_its_work_dir_and_runs_unprivileged(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "whoami")
    message = next(r.message for r in report.checks if r.name == "test_attack")
    assert "sees=[]" in message, message  # no project sources
    assert "cwd=/tmp/quiz-grade-" in message and message.count("/work'") == 0
    if os.geteuid() == 0:
        assert "uid=0 " not in message
    assert_contained(report)


def test_oversized_observation_fails_the_check_only(tmp_path: Path) -> None:
    report = grade_case(
        tmp_path, "big_observation", limits=dataclasses.replace(LIMITS, observation_bytes=64 * 1024)
    )
    attack = next(r for r in report.checks if r.name == "test_attack")
    assert attack.status == "error" and "exceeded 65536 bytes" in attack.message
    assert_contained(report)


def test_a_checks_output_is_never_lost_to_the_next_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes the drain thread has taken from the pipe are in the check's output once ``settle`` returns,
    even when that thread loses the CPU right after reading them."""
    read_end, write_end = os.pipe()
    real_read = os.read

    def slow_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        if fd == read_end:
            time.sleep(0.05)
        return data

    monkeypatch.setattr(os, "read", slow_read)
    output = _CappedOutput(os.fdopen(read_end, "rb"), 1024)
    for i in range(5):
        os.write(write_end, f"print {i}\n".encode())
        output.settle()
        assert output.take() == f"print {i}\n"
    os.close(write_end)
    output.join(1.0)
