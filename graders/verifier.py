"""The answer verifier: does this answer say what this short reference answer says?

A cross-encoder made from the embedding model itself: all-MiniLM-L6-v2 reads the reference and the answer
together, through low-rank adapters (LoRA, Hu et al. 2021) on its linear layers and a linear head on its
pooled output, fine-tuned on the 2-way labels of SemEval-2013's training splits (``train``, run by
``scripts/train_verifier.py``). Reading both texts at once, it sees what two pooled sentence vectors lose:
which part of the reference an answer word answers, and which part no word answers.

Its logit, averaged over an item's reference answers, is the signal ``verifier``, used by the calibration
of short reference answers only. The adapter (``graders/data/verifier.safetensors``, 1 MB in half
precision) fits only the weights it was trained on: with another embedding model, ``Verifier.from_model``
returns None and short references are graded without it.
"""

from __future__ import annotations

import copy
import functools
import logging
import math
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

SIGNAL = "verifier"
ADAPTER_FILE = "verifier.safetensors"
RANK = 8
ALPHA = 16.0
MAX_TOKENS = 128  # reference + answer; SemEval's longest pair is under 110 word pieces
# The linear layers of each transformer layer that get an adapter.
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def fingerprint(model: SentenceTransformer) -> str:
    """Which base weights an adapter was trained on: shape and a checksum of the word embeddings."""
    weight = model[0].auto_model.get_input_embeddings().weight.detach()
    return f"{tuple(weight.shape)}:{float(weight[:256].double().abs().sum()):.3f}"


class Verifier:
    """Scores (reference, answer) pairs; build with ``from_model`` (merges the adapter into a copy)."""

    def __init__(self, encoder: torch.nn.Module, head: torch.nn.Linear, tokenizer) -> None:
        self.encoder = encoder.eval()
        self.head = head.eval()
        self.tokenizer = tokenizer

    @classmethod
    def from_model(cls, model: SentenceTransformer, adapter: Path | None = None) -> Verifier | None:
        """The verifier for ``model`` with the shipped adapter (or ``adapter``), None when the adapter file
        is missing or was trained on other weights."""
        import torch
        from safetensors import safe_open

        path = adapter or Path(str(resources.files("graders.data").joinpath(ADAPTER_FILE)))
        if not path.is_file():
            log.warning("no answer verifier at %s (scripts/train_verifier.py makes it): not used", path)
            return None
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
            state = {key: fh.get_tensor(key).float() for key in fh.keys()}  # noqa: SIM118 (not a dict)
        if meta.get("fingerprint") != fingerprint(model):
            log.info("the answer verifier was trained on other weights than this embedding model's: not used")
            return None
        encoder = copy.deepcopy(model[0].auto_model).float()
        scale = float(meta["alpha"]) / float(meta["rank"])
        modules = dict(encoder.named_modules())
        with torch.no_grad():
            for name in _adapted(encoder):
                modules[name].weight += scale * state[f"{name}.B"] @ state[f"{name}.A"]
            encoder.pooler.dense.weight.copy_(state["pooler.weight"])
            encoder.pooler.dense.bias.copy_(state["pooler.bias"])
            head = torch.nn.Linear(encoder.config.hidden_size, 1)
            head.weight.copy_(state["head.weight"])
            head.bias.copy_(state["head.bias"])
        return cls(encoder, head, model.tokenizer)

    def logits(self, pairs: Sequence[tuple[str, str]], *, batch_size: int = 32) -> np.ndarray:
        """The logit of "the answer is right" for each (reference, answer) pair. Batches are formed in
        order of length, so that little padding is computed (half the time on theory_dev's answers)."""
        import torch

        order = np.argsort([len(reference) + len(answer) for reference, answer in pairs], kind="stable")
        logits = np.zeros(len(pairs), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(pairs), batch_size):
                chunk = order[start : start + batch_size]
                batch = [pairs[i] for i in chunk]
                logits[chunk] = _forward(self.encoder, self.head, self.tokenizer, batch).numpy()
        return logits


def _adapted(encoder: torch.nn.Module) -> list[str]:
    return [f"encoder.layer.{i}.{target}" for i in range(len(encoder.encoder.layer)) for target in TARGETS]


def _forward(encoder, head, tokenizer, pairs: Sequence[tuple[str, str]]) -> torch.Tensor:
    batch = tokenizer(
        [reference for reference, _ in pairs],
        [answer for _, answer in pairs],
        truncation="longest_first",
        max_length=MAX_TOKENS,
        padding=True,
        return_tensors="pt",
    )
    return head(encoder(**batch).pooler_output).squeeze(-1)


def train(
    model: SentenceTransformer,
    references: Sequence[Sequence[str]],
    answers: Sequence[str],
    labels: Sequence[float],
    *,
    epochs: int = 2,
    batch_size: int = 16,
    lr: float = 5e-4,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Fine-tune adapters and head on labelled answers, each with its acceptable references; returns the
    adapter's tensors and metadata for ``save``. Each step pairs an answer with one of its references at
    random, so the verifier learns that any of them may be the one answered."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    encoder = copy.deepcopy(model[0].auto_model).float()
    for p in encoder.parameters():
        p.requires_grad_(False)
    modules = dict(encoder.named_modules())
    adapters = {}
    for name in _adapted(encoder):
        parent, _, attr = name.rpartition(".")
        adapters[name] = _lora_type()(modules[name])
        setattr(modules[parent], attr, adapters[name])
    for p in encoder.pooler.parameters():
        p.requires_grad_(True)
    head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(encoder.config.hidden_size, 1))
    params = [p for p in (*encoder.parameters(), *head.parameters()) if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(answers) / batch_size)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps)
    )
    y = torch.tensor(np.asarray(labels, dtype=np.float32))
    encoder.train()
    head.train()
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(answers))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = [(references[i][rng.integers(len(references[i]))], answers[i]) for i in idx]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                _forward(encoder, head, model.tokenizer, batch), y[idx]
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if progress is not None:
                progress(step, steps)
    state = {}
    for name, lora in adapters.items():
        state[f"{name}.A"] = lora.A.detach().clone()
        state[f"{name}.B"] = lora.B.detach().clone()
    state["pooler.weight"] = encoder.pooler.dense.weight.detach().clone()
    state["pooler.bias"] = encoder.pooler.dense.bias.detach().clone()
    state["head.weight"] = head[1].weight.detach().clone()
    state["head.bias"] = head[1].bias.detach().clone()
    meta = {"rank": str(RANK), "alpha": str(ALPHA), "fingerprint": fingerprint(model), "epochs": str(epochs)}
    return state, meta


def save(state: dict[str, torch.Tensor], meta: dict[str, str], path: Path) -> None:
    """Write an adapter (half precision: it is merged into float32 weights on load)."""
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    save_file({k: v.half().contiguous() for k, v in state.items()}, str(tmp), metadata=meta)
    tmp.replace(path)


@functools.cache
def _lora_type() -> type:
    """The adapter module type (defined on first use: torch is imported lazily)."""
    import torch

    class LoRA(torch.nn.Module):
        """A frozen linear layer plus a trainable low-rank update B @ A (B starts at zero)."""

        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.A = torch.nn.Parameter(torch.randn(RANK, base.in_features) / math.sqrt(base.in_features))
            self.B = torch.nn.Parameter(torch.zeros(base.out_features, RANK))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.base(x) + (x @ self.A.T) @ self.B.T * (ALPHA / RANK)

    return LoRA
