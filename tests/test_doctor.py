"""``quiz doctor`` and ``quiz setup`` through click's CliRunner, and the report's isolation of failures."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

import graders
from graders import tiny_gpt2
from graders.assets import report, wordnet
from graders.assets.report import AssetStatus, Check
from graders.errors import AssetMissingError
from quiz.__main__ import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def fake_check(name: str, *, required: bool, fails: Exception | None = None) -> Check:
    def probe() -> str:
        if fails is not None:
            raise fails
        return f"{name} is fine"

    return Check(name, required, probe, f"generic fix for {name}")


@pytest.fixture
def fake_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed answer from graders.sandbox, so these tests neither depend on nor wait for the real probe."""
    sandbox = types.ModuleType("graders.sandbox")
    sandbox.isolation_features = lambda: [("network isolation", True, "test double")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "graders.sandbox", sandbox)
    monkeypatch.setattr(graders, "sandbox", sandbox, raising=False)


def test_help_texts_explain_the_commands() -> None:
    doctor_help = run("doctor", "--help")
    assert doctor_help.exit_code == 0
    assert "--json" in doctor_help.output and "MISSING" in doctor_help.output
    setup_help = run("setup", "--help")
    assert setup_help.exit_code == 0
    assert "WordNet" in setup_help.output and "GPT-2" in setup_help.output


@pytest.mark.models
def test_doctor_reports_every_asset_ok_here() -> None:
    result = run("doctor")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for check in report.CHECKS:
        assert any(line.startswith("OK") and f" {check.name} " in line for line in lines), check.name
    assert any("sandbox: " in line for line in lines)
    assert "fix:" not in result.output


@pytest.mark.usefixtures("fake_sandbox")
def test_missing_required_asset_fails_and_prints_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedding = next(check for check in report.CHECKS if check.name == "embedding model")
    monkeypatch.setattr(report, "CHECKS", (embedding, fake_check("torch", required=True)))
    monkeypatch.setenv("QUIZ_EMBEDDING_MODEL", str(tmp_path / "no-model-here"))
    result = run("doctor")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "embedding model" in line)
    assert line.startswith("MISSING") and "does not exist" in line
    assert "fix: unset QUIZ_EMBEDDING_MODEL" in result.output
    assert any(line.startswith("OK") and "torch" in line for line in result.output.splitlines())


@pytest.mark.usefixtures("fake_sandbox")
def test_optional_failure_warns_and_a_crashing_check_stays_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    checks = (
        fake_check("optional thing", required=False, fails=RuntimeError("not here")),
        fake_check("fine thing", required=True),
    )
    monkeypatch.setattr(report, "CHECKS", checks)
    result = run("doctor")
    assert result.exit_code == 0
    assert re.search(r"^WARN +optional thing +RuntimeError: not here$", result.output, re.MULTILINE)
    assert "fix: generic fix for optional thing" in result.output

    monkeypatch.setattr(report, "CHECKS", (fake_check("broken", required=True, fails=ZeroDivisionError()),))
    assert run("doctor").exit_code == 1


@pytest.mark.usefixtures("fake_sandbox")
def test_doctor_json(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = fake_check(
        "spaCy", required=True, fails=AssetMissingError("no pipeline", hint="pip install it")
    )
    monkeypatch.setattr(report, "CHECKS", (missing,))
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    assert result.exit_code == 1
    entries = json.loads(result.stdout)
    assert entries[0] == {
        "name": "spaCy",
        "ok": False,
        "required": True,
        "detail": "no pipeline",
        "fix": "pip install it",
        "status": "MISSING",
    }
    assert [entry["name"] for entry in entries[1:]] == ["sandbox: network isolation"]


def test_sandbox_features_are_taken_from_the_sandbox_module(monkeypatch: pytest.MonkeyPatch) -> None:
    feature = types.SimpleNamespace(name="seccomp", available=False, detail="no libseccomp")
    sandbox = types.ModuleType("graders.sandbox")
    sandbox.isolation_features = lambda: [("network isolation", True, "bwrap --unshare-net"), feature]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "graders.sandbox", sandbox)
    monkeypatch.setattr(graders, "sandbox", sandbox, raising=False)
    assert report.sandbox_statuses() == [
        AssetStatus("sandbox: network isolation", True, False, "bwrap --unshare-net", ""),
        AssetStatus("sandbox: seccomp", False, False, "no libseccomp", report.SANDBOX_FIX),
    ]


def test_unavailable_sandbox_module_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graders.sandbox", None)  # the import now raises ImportError
    monkeypatch.delattr(graders, "sandbox", raising=False)
    [status] = report.sandbox_statuses()
    assert (status.name, status.label) == ("sandbox: isolation features", "WARN")
    assert status.detail.startswith("cannot probe the sandbox: ModuleNotFoundError")


@pytest.mark.models
def test_setup_builds_then_is_idempotent_and_reports_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nltk

    monkeypatch.setenv("QUIZ_ASSETS_DIR", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.setattr(tiny_gpt2, "TRAINING", {**tiny_gpt2.TRAINING, "steps": 15})  # a quick build

    first = run("setup")
    assert first.exit_code == 0, first.output
    assert "built      WordNet for NLTK" in first.output and "built      small GPT-2" in first.output
    assert (tmp_path / "nltk_data" / "corpora" / "wordnet" / "lexnames").is_file()
    assert (tmp_path / "tiny-gpt2" / "config.json").is_file()

    again = run("setup")
    assert again.exit_code == 0
    assert "up to date WordNet for NLTK" in again.output and "up to date small GPT-2" in again.output

    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.setattr(wordnet, "WORDNET_SOURCE", tmp_path / "no-wordnet")
    (tmp_path / "nltk_data").rename(tmp_path / "moved")
    failed = run("setup")
    assert failed.exit_code == 1
    assert "failed     WordNet for NLTK" in failed.output
    assert "sudo apt-get install wordnet-base wordnet-sense-index" in failed.output
    assert "up to date small GPT-2" in failed.output  # one failure does not stop the other asset
