"""One place that resolves every model and data asset the product needs, offline.

- embedding model: :func:`embedding_model_path`, :func:`load_embedding_model`
- spaCy English pipeline: :func:`spacy_pipeline_name`, :func:`spacy_pipeline` (and, for grading,
  :func:`write_spacy_stand_in`)
- WordNet for NLTK: :func:`ensure_wordnet`
- GPT-2: :func:`gpt2_path` (any GPT-2), :func:`small_gpt2_path` (the reproducible reference model)
- :func:`build_assets` builds the derived assets (``quiz setup``); :func:`asset_report` checks everything
  (``quiz doctor``).

A missing asset raises :class:`graders.errors.AssetMissingError` whose hint says how to install it.
Importing this package is cheap: models and their libraries load on first use.
"""

from graders.assets.build import BuildResult, build_assets
from graders.assets.models import (
    embedding_model_path,
    gpt2_path,
    load_embedding_model,
    small_gpt2_path,
    spacy_pipeline,
    spacy_pipeline_name,
    write_spacy_stand_in,
)
from graders.assets.report import AssetStatus, asset_report
from graders.assets.store import assets_dir
from graders.assets.wordnet import ensure_wordnet

__all__ = [
    "AssetStatus",
    "BuildResult",
    "asset_report",
    "assets_dir",
    "build_assets",
    "embedding_model_path",
    "ensure_wordnet",
    "gpt2_path",
    "load_embedding_model",
    "small_gpt2_path",
    "spacy_pipeline",
    "spacy_pipeline_name",
    "write_spacy_stand_in",
]
