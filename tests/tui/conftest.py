"""Fixtures of the quiz TUI tests: a tiny bank, a store in a temp dir, an app factory."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from graders.bank_schema import Bank
from quiz.app import Grader, QuizApp, QuizOptions
from quiz.store import Store
from tests.tui.doubles import BANK, FakeClock, KeywordGrader

MakeApp = Callable[..., QuizApp]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    store = Store(tmp_path / "data" / "attempts.sqlite3", clock=clock)
    yield store
    store.close()


@pytest.fixture
def grader() -> KeywordGrader:
    return KeywordGrader()


@pytest.fixture
def make_app(store: Store, grader: KeywordGrader, clock: FakeClock) -> MakeApp:
    def make(
        *,
        grader_: Grader | None = None,
        store_: Store | None = None,
        bank_: Bank | None = None,
        **options: object,
    ) -> QuizApp:
        chosen = grader_ or grader
        return QuizApp(
            bank_ or BANK,
            store_ or store,
            lambda: chosen,
            options=QuizOptions(**options),  # type: ignore[arg-type]
            clock=clock,
        )

    return make


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str, timeout_s: float = 240) -> None:
    """Let the app run until ``condition`` holds (a timer's tick and a worker's reply take longer on a
    loaded machine than any fixed pause)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {timeout_s:g} s"
        await pilot.pause(0.05)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key, as a person would."""
    await pilot.press(*["space" if char == " " else char for char in text])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio; anyio's pytest plugin drives the async tests
