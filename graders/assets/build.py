"""Build every derived asset (``quiz setup``): WordNet data for NLTK and the small GPT-2."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graders.assets import models, wordnet
from graders.assets.store import assets_dir
from graders.errors import QuizError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    """What happened to one derived asset: ``status`` is "built", "up to date" or "failed"."""

    name: str
    status: str
    detail: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def build_assets(*, on_start: Callable[[str], None] | None = None) -> list[BuildResult]:
    """Build each derived asset that is missing or outdated; one failure does not stop the others.

    ``on_start(name)`` is called before each asset, so a caller can show progress.
    """
    steps: list[tuple[str, Callable[[], tuple[bool, str]]]] = [
        ("WordNet for NLTK", _wordnet),
        ("small GPT-2", _small_gpt2),
    ]
    results = []
    for name, step in steps:
        if on_start is not None:
            on_start(name)
        started = time.perf_counter()
        try:
            built, detail = step()
            status = "built" if built else "up to date"
        except QuizError as exc:
            status, detail = "failed", str(exc)
        results.append(BuildResult(name, status, detail, time.perf_counter() - started))
        logger.info("%s: %s (%s)", name, status, detail)
    return results


def _wordnet() -> tuple[bool, str]:
    own_root = assets_dir() / "nltk_data"
    found = wordnet.find_nltk_wordnet()
    if found is not None and _resolved(found) != _resolved(own_root):
        return False, f"NLTK already finds WordNet in {found}"
    built = wordnet.build_wordnet(own_root)
    wordnet.register_nltk_data(own_root)
    return built, str(own_root / "corpora" / "wordnet")


def _small_gpt2() -> tuple[bool, str]:
    built = models.build_small_gpt2()
    return built, str(models.small_gpt2_dir())


def _resolved(path: Path) -> Path:
    return path.expanduser().resolve()
