"""WordNet 3.0 for NLTK, offline: the user's nltk_data when present, else built from Debian's files.

NLTK 3.10 reads corpora only from inside its data roots and refuses symlinks that lead out of them, and
its WordNet reader needs a ``lexnames`` file that Debian's wordnet-base package does not ship. So the
Debian files are copied (not linked) into a proper ``nltk_data/corpora/wordnet`` folder under the assets
folder, with ``lexnames`` written from the WordNet specification.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from graders.assets.store import assets_dir, ensure_built
from graders.errors import AssetMissingError

logger = logging.getLogger(__name__)

#: Where Debian's wordnet-base and wordnet-sense-index packages install the WordNet 3.0 database.
WORDNET_SOURCE = Path("/usr/share/wordnet")
#: The files NLTK's WordNetCorpusReader opens, apart from ``lexnames``.
SOURCE_FILES = (
    "cntlist.rev",
    "index.sense",
    "index.adj",
    "index.adv",
    "index.noun",
    "index.verb",
    "data.adj",
    "data.adv",
    "data.noun",
    "data.verb",
    "adj.exc",
    "adv.exc",
    "noun.exc",
    "verb.exc",
)
#: The 45 lexicographer files of WordNet 3.0 (lexnames(5WN)): number, name, syntactic category
#: (1 noun, 2 verb, 3 adjective, 4 adverb). Synsets store the number; NLTK maps it to the name.
LEXNAMES = (
    ("adj.all", 3), ("adj.pert", 3), ("adv.all", 4), ("noun.Tops", 1), ("noun.act", 1),
    ("noun.animal", 1), ("noun.artifact", 1), ("noun.attribute", 1), ("noun.body", 1),
    ("noun.cognition", 1), ("noun.communication", 1), ("noun.event", 1), ("noun.feeling", 1),
    ("noun.food", 1), ("noun.group", 1), ("noun.location", 1), ("noun.motive", 1), ("noun.object", 1),
    ("noun.person", 1), ("noun.phenomenon", 1), ("noun.plant", 1), ("noun.possession", 1),
    ("noun.process", 1), ("noun.quantity", 1), ("noun.relation", 1), ("noun.shape", 1),
    ("noun.state", 1), ("noun.substance", 1), ("noun.time", 1), ("verb.body", 2), ("verb.change", 2),
    ("verb.cognition", 2), ("verb.communication", 2), ("verb.competition", 2), ("verb.consumption", 2),
    ("verb.contact", 2), ("verb.creation", 2), ("verb.emotion", 2), ("verb.motion", 2),
    ("verb.perception", 2), ("verb.possession", 2), ("verb.social", 2), ("verb.stative", 2),
    ("verb.weather", 2), ("adj.ppl", 3),
)  # fmt: skip
WORDNET_FIX = (
    "install WordNet 3.0: `sudo apt-get install wordnet-base wordnet-sense-index` (then run `quiz setup`), "
    "or `python -m nltk.downloader wordnet`"
)
_RECIPE_VERSION = 1


def ensure_wordnet() -> Path:
    """Make ``from nltk.corpus import wordnet`` work in this process and in child processes.

    Returns the nltk_data folder that holds ``corpora/wordnet``. Raises AssetMissingError when neither the
    user's nltk_data nor Debian's WordNet files are there.
    """
    found = find_nltk_wordnet()
    if found is not None:
        return found
    data_root = assets_dir() / "nltk_data"
    build_wordnet(data_root)
    register_nltk_data(data_root)
    return data_root


def build_wordnet(data_root: Path) -> bool:
    """Build ``data_root/corpora/wordnet`` from Debian's files; return True when it was (re)built."""
    source = _checked_source()
    return ensure_built(
        data_root / "corpora" / "wordnet",
        key=_recipe_key(source),
        build=lambda folder: _copy_wordnet(source, folder),
    )


def lexnames_text() -> str:
    return "".join(f"{number:02d}\t{name}\t{category}\n" for number, (name, category) in enumerate(LEXNAMES))


def find_nltk_wordnet() -> Path | None:
    """The nltk_data folder in which NLTK already finds ``corpora/wordnet``, or None."""
    import nltk

    try:
        pointer = nltk.data.find("corpora/wordnet")
    except LookupError:
        return None
    # A folder pointer has .path; a pointer into corpora/wordnet.zip has .zipfile. Both sit in <root>/corpora.
    location = pointer.zipfile.filename if hasattr(pointer, "zipfile") else pointer.path
    return Path(location).parents[1]


def _checked_source() -> Path:
    missing = [name for name in SOURCE_FILES if not (WORDNET_SOURCE / name).is_file()]
    if missing:
        raise AssetMissingError(
            f"WordNet for NLTK not found: no nltk_data with corpora/wordnet, and {WORDNET_SOURCE} lacks "
            + ", ".join(missing),
            hint=WORDNET_FIX,
        )
    return WORDNET_SOURCE


def _recipe_key(source: Path) -> str:
    digest = hashlib.sha256(f"{_RECIPE_VERSION}\n{lexnames_text()}".encode())
    for name in SOURCE_FILES:
        digest.update(f"{name}:{(source / name).stat().st_size}\n".encode())
    return digest.hexdigest()[:16]


def _copy_wordnet(source: Path, folder: Path) -> dict[str, str]:
    for name in SOURCE_FILES:
        shutil.copyfile(source / name, folder / name)
    (folder / "lexnames").write_text(lexnames_text(), encoding="utf-8")
    return {"source": str(source)}


def register_nltk_data(data_root: Path) -> None:
    """Let NLTK in this process, and in processes it starts later, search ``data_root``."""
    import nltk

    root = str(data_root.resolve())
    if root not in nltk.data.path:
        nltk.data.path.append(root)
    # NLTK reads NLTK_DATA once, at import, so children started after this call find the folder too.
    inherited = [p for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    if root not in inherited:
        os.environ["NLTK_DATA"] = os.pathsep.join([*inherited, root])
    logger.debug("WordNet data registered at %s", root)
