"""Where derived assets live, and how they are built: atomically, once per recipe.

A derived asset is a folder built from local inputs (WordNet data, the small GPT-2). It is built in a
temporary sibling folder and renamed into place only when complete, with a record of the recipe key it was
built from, so a crash never leaves a half-built folder in use and a rebuild of the same recipe is skipped.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

ASSETS_ENV = "QUIZ_ASSETS_DIR"
BUILD_RECORD = ".asset-build.json"
_BUILDING, _RETIRED = "building", "retired"


def assets_dir() -> Path:
    """The folder for built assets: ``$QUIZ_ASSETS_DIR`` or the per-user data folder of attention-quiz."""
    override = os.environ.get(ASSETS_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("attention-quiz")) / "assets"


def build_record(folder: Path) -> dict[str, str] | None:
    """The record a completed build left in ``folder``, or None when there is no (readable) record."""
    try:
        record = json.loads((folder / BUILD_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_built(folder: Path, key: str) -> bool:
    record = build_record(folder)
    return record is not None and record.get("key") == key


def ensure_built(dest: Path, *, key: str, build: Callable[[Path], Mapping[str, str] | None]) -> bool:
    """Make ``dest`` a complete build of recipe ``key``; return True when this call built it.

    ``build(folder)`` fills an empty temporary folder and may return extra facts for the build record.
    Concurrent builders are safe: each builds its own temporary folder and the first rename wins.
    """
    if is_built(dest, key):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(dest)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.{_BUILDING}-{os.getpid()}-", dir=dest.parent))
    try:
        work.chmod(0o755)  # mkdtemp makes it private; the installed asset is an ordinary shared folder
        facts = dict(build(work) or {})
        (work / BUILD_RECORD).write_text(json.dumps({**facts, "key": key}, indent=2), encoding="utf-8")
        _install(work, dest, key)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("built %s (recipe %s)", dest, key)
    return True


def _install(work: Path, dest: Path, key: str) -> None:
    if dest.exists():
        if is_built(dest, key):  # another process finished the same build first
            return
        # An outdated or foreign folder: move it aside first, because rename cannot replace a full folder.
        retired = Path(tempfile.mkdtemp(prefix=f".{dest.name}.{_RETIRED}-{os.getpid()}-", dir=dest.parent))
        os.replace(dest, retired / dest.name)
        shutil.rmtree(retired, ignore_errors=True)
    try:
        os.replace(work, dest)
    except OSError:
        if not is_built(dest, key):
            raise


def _remove_abandoned(dest: Path) -> None:
    """Delete temporary folders left by builders that died; leave those of running processes alone."""
    for kind in (_BUILDING, _RETIRED):
        for folder in dest.parent.glob(f".{dest.name}.{kind}-*"):
            pid_text = folder.name.removeprefix(f".{dest.name}.{kind}-").split("-", 1)[0]
            if pid_text.isdigit() and not _process_alive(int(pid_text)):
                logger.info("removing abandoned build folder %s", folder)
                shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
