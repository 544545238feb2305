"""Judge-side reference generations with the course's small GPT-2, computed here (in the trusted process)
rather than recorded, so they stay right when the small model is rebuilt.

Computing them costs a grading run little generation but a torch + transformers import and a model load
in the judging process (seconds, while the sandboxed worker waits). So they are stored in the assets
folder (``cache/gpt2_generation-reference.json``) under the model's identity: a digest of its files, the
versions of the libraries that run it and this module's source. A rebuilt model, a library upgrade or a
change here gives another identity, and the stored outputs are then ignored and computed again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_FILE = "gpt2_generation-reference.json"
_LIBRARIES = ("torch", "transformers", "tokenizers")


def greedy(prompt: str, **limits: int) -> tuple[str, tuple[int, ...]]:
    """The greedy continuation of ``prompt`` under ``limits`` (max_length / max_new_tokens): the text
    decoded without special tokens, and the generated token ids."""
    return _references().greedy(prompt, **limits)


def eos_token_id() -> int:
    return _references().eos_token_id()


@functools.cache
def _references() -> References:
    from graders.assets import assets_dir, small_gpt2_path

    return References(small_gpt2_path(), assets_dir() / "cache" / CACHE_FILE)


def model_identity(model_dir: Path) -> str:
    """sha256 over everything a reference output depends on: the model folder's files (weights, config,
    tokenizer; not the hidden build record), the library versions and this module's source."""
    digest = hashlib.sha256()
    for file in sorted(p for p in model_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    for library in _LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}\0".encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


class References:
    """Reference outputs of the model in ``model_dir``, computed on first need and kept in ``path``."""

    def __init__(self, model_dir: Path, path: Path) -> None:
        self.model_dir, self.path = Path(model_dir), Path(path)
        self.identity = model_identity(self.model_dir)
        self.entries = self._read()

    def greedy(self, prompt: str, **limits: int) -> tuple[str, tuple[int, ...]]:
        key = json.dumps(["greedy", prompt, limits], sort_keys=True)
        if key not in self.entries:
            text, ids = _generate(self.model_dir, prompt, limits)
            self._store(key, [text, list(ids)])
        text, ids = self.entries[key]
        return text, tuple(ids)

    def eos_token_id(self) -> int:
        if "eos_token_id" not in self.entries:
            self._store("eos_token_id", int(_load(self.model_dir)[1].eos_token_id))
        return int(self.entries["eos_token_id"])

    def _read(self) -> dict[str, Any]:
        """The stored entries for this identity; none when the file is missing, unreadable or another
        model's."""
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(stored, dict) or stored.get("identity") != self.identity:
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _store(self, key: str, value: Any) -> None:
        from graders.errors import InputError
        from graders.results import atomic_write_text

        # Another grading process may have stored entries since we read: keep them too.
        self.entries = {**self._read(), **self.entries, key: value}
        document = {"identity": self.identity, "entries": self.entries}
        try:
            atomic_write_text(self.path, json.dumps(document, ensure_ascii=False, sort_keys=True))
        except InputError as exc:  # a read-only assets folder only costs the next run the recomputation
            log.warning("cannot store the reference generations in %s: %s", self.path, exc)


@functools.cache
def _load(model_dir: Path) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    model.eval()
    return model, AutoTokenizer.from_pretrained(str(model_dir))


def _generate(model_dir: Path, prompt: str, limits: dict[str, int]) -> tuple[str, tuple[int, ...]]:
    import torch

    model, tokenizer = _load(model_dir)
    encoded = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        output = model.generate(
            **encoded, do_sample=False, num_beams=1, pad_token_id=tokenizer.eos_token_id, **limits
        )
    return tokenizer.decode(output[0], skip_special_tokens=True), tuple(output[0].tolist())
