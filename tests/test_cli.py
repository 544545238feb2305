"""Every command has --help; unknown commands get a did-you-mean; user errors are not tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from quiz.__main__ import COMMANDS, cli


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_unknown_command_suggests_the_closest() -> None:
    result = CliRunner().invoke(cli, ["doctr"])
    assert result.exit_code == 2
    assert "did you mean 'doctor'" in result.output


def test_python_dash_m_quiz_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quiz", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "quiz" in proc.stdout
