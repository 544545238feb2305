"""The gpt2_generation judge's reference generations are stored under the small GPT-2's identity: a second
run reads them without loading the model, and a changed model is never judged against stored outputs."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from practicals.gpt2_generation import reference
from practicals.gpt2_generation.probes import EOS_PROMPT, GREEDY_PROMPT
from practicals.gpt2_generation.reference import References

pytestmark = pytest.mark.models


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A copy of the small GPT-2 that a test may change."""
    from graders.assets import small_gpt2_path

    return Path(shutil.copytree(small_gpt2_path(), tmp_path / "tiny-gpt2"))


def forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(model_dir: Path) -> Any:
        raise AssertionError(f"the model in {model_dir} was loaded")

    monkeypatch.setattr(reference, "_load", load)


def test_a_second_run_reads_the_stored_outputs_without_loading_the_model(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache" / "reference.json"
    first = References(model_dir, cache)
    text, ids = first.greedy(GREEDY_PROMPT, max_length=20)
    ended, ended_ids = first.greedy(EOS_PROMPT, max_length=40)
    eos = first.eos_token_id()
    assert text.startswith(GREEDY_PROMPT) and len(ids) == 20 and eos in ended_ids
    forbid_loading(monkeypatch)
    second = References(model_dir, cache)
    assert second.greedy(GREEDY_PROMPT, max_length=20) == (text, ids)
    assert second.greedy(EOS_PROMPT, max_length=40) == (ended, ended_ids)
    assert second.eos_token_id() == eos
    with pytest.raises(AssertionError, match="was loaded"):  # other limits: another output
        second.greedy(GREEDY_PROMPT, max_new_tokens=3)


def test_a_changed_model_does_not_reuse_the_stored_outputs(model_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "reference.json"
    text, _ = References(model_dir, cache).greedy(GREEDY_PROMPT, max_length=12)
    stored = json.loads(cache.read_text())
    for entry in stored["entries"].values():
        entry[0] = "stale"
    cache.write_text(json.dumps(stored))
    assert References(model_dir, cache).greedy(GREEDY_PROMPT, max_length=12)[0] == "stale"
    config = model_dir / "generation_config.json"
    config.write_text(config.read_text() + "\n")  # any change to the model's files is another model
    assert References(model_dir, cache).greedy(GREEDY_PROMPT, max_length=12)[0] == text
    assert json.loads(cache.read_text())["identity"] != stored["identity"]


def test_the_identity_names_the_library_versions(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = reference.model_identity(model_dir)
    real = reference.metadata.version
    monkeypatch.setattr(
        reference.metadata, "version", lambda name: "0.0" if name == "transformers" else real(name)
    )
    assert reference.model_identity(model_dir) != before


def test_an_unreadable_or_unwritable_store_only_costs_the_recomputation(
    model_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "reference.json"
    cache.write_text("{not json")
    text, ids = References(model_dir, cache).greedy(GREEDY_PROMPT, max_length=10)
    assert json.loads(cache.read_text())["entries"]
    blocked = tmp_path / "a-file" / "reference.json"
    blocked.parent.write_text("")
    with caplog.at_level(logging.WARNING, logger=reference.__name__):
        assert References(model_dir, blocked).greedy(GREEDY_PROMPT, max_length=10) == (text, ids)
    assert "cannot store the reference generations" in caplog.text
