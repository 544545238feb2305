"""The grading core is importable without the UI, and the CLI starts without heavy imports."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import graders

HEADLESS = sorted(m.name for m in pkgutil.walk_packages(graders.__path__, "graders.")) + [
    "practicals.check",
    "practicals.submission",
    "practicals.probing",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_headless_modules_do_not_import_textual() -> None:
    code = "\n".join(f"import {name}" for name in HEADLESS)
    loaded = _modules_after(code)
    assert "textual" not in loaded
    assert not any(name == "quiz" or name.startswith("quiz.") for name in loaded)


def test_cli_help_does_not_load_heavy_libraries() -> None:
    loaded = _modules_after(
        "from click.testing import CliRunner\nfrom quiz.__main__ import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0"
    )
    for heavy in ("torch", "tensorflow", "keras", "sentence_transformers", "spacy", "transformers"):
        assert heavy not in loaded, f"`quiz --help` imported {heavy}"
    assert "textual" not in loaded
