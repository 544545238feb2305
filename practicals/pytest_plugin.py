"""pytest plugin: ``--submission PATH`` (or ``QUIZ_SUBMISSION``) selects what the checks exercise.

Installed as a ``pytest11`` entry point, so ``pytest practicals/<id>/checks.py --submission S``
works from anywhere once the project is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from practicals.submission import Submission, load_module


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("practicals")
    group.addoption(
        "--submission",
        default=os.environ.get("QUIZ_SUBMISSION"),
        help="submission folder (holding <id>.py/.ipynb) or a single file for the practical under test",
    )
    group.addoption(
        "--check-seed",
        type=int,
        default=int(os.environ.get("QUIZ_CHECK_SEED", "0")),
        help="seed passed to every probe (default 0; the flake script varies it)",
    )


@pytest.fixture(scope="session")
def _submission_cache() -> dict[tuple[str, str], Submission]:
    return {}


@pytest.fixture
def submission(request: pytest.FixtureRequest, _submission_cache: dict) -> Submission:
    path = request.config.getoption("--submission")
    if not path:
        pytest.fail("no submission given: pass --submission PATH or set QUIZ_SUBMISSION", pytrace=False)
    practical = request.module.__name__.split(".")[-2]
    key = (str(Path(path).resolve()), practical)
    if key not in _submission_cache:
        seed = int(request.config.getoption("--check-seed"))
        _submission_cache[key] = Submission(load_module(Path(path), practical, seed=seed), practical)
    return _submission_cache[key]


@pytest.fixture
def check_seed(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--check-seed"))
