"""A small GPT-2-architecture model and tokenizer, built reproducibly from a fixed corpus.

The GPT-2 practical is checked against a reference model that must exist offline and give the same greedy
output on every machine, so the real 500 MB ``gpt2`` cannot serve. This module trains a byte-level BPE
tokenizer and a two-layer GPT2LMHeadModel on the course's own theory answers (``graders/data``), with a
fixed seed, one thread and deterministic kernels, and saves both with ``save_pretrained`` so ordinary
``from_pretrained(path)`` code loads them. Heavy imports stay inside the functions.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Bump when the recipe changes in a way the settings below do not capture; it invalidates earlier builds.
RECIPE_VERSION = 2
EOT = "<|endoftext|>"
VOCAB_SIZE = 800
MODEL_CONFIG: dict[str, Any] = {
    "n_layer": 2,
    "n_embd": 64,
    "n_head": 2,
    "n_positions": 128,
    # No dropout: training stays a pure function of the seed, and eval-mode output equals train-mode output.
    "resid_pdrop": 0.0,
    "embd_pdrop": 0.0,
    "attn_pdrop": 0.0,
}
TRAINING: dict[str, Any] = {"seed": 1234, "steps": 300, "batch_size": 16, "block_size": 64, "lr": 3e-3}


def corpus_text() -> str:
    """The fixed English training corpus shipped with the package (one document per line)."""
    return resources.files("graders.data").joinpath("tiny_corpus.txt").read_text(encoding="utf-8")


def recipe_key() -> str:
    """A digest of everything that determines the built model; equal keys mean an equal build."""
    recipe = {
        "version": RECIPE_VERSION,
        "vocab_size": VOCAB_SIZE,
        "model": MODEL_CONFIG,
        "training": TRAINING,
        "corpus": hashlib.sha256(corpus_text().encode("utf-8")).hexdigest(),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def weights_digest(model: Any) -> str:
    """SHA-256 over the model's parameters in name order (independent of file layout and metadata)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode("utf-8"))
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def build(out_dir: Path) -> dict[str, str]:
    """Train the tokenizer and model and save both into ``out_dir``; return facts for the build record."""
    import torch

    documents = [line for line in corpus_text().splitlines() if line.strip()]
    tokenizer = _train_tokenizer(documents)
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    # One thread and deterministic kernels make the float reductions, and so the weights, repeatable.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        with torch.random.fork_rng(devices=[]):
            model = _train_model(tokenizer, documents)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    from graders.assets.models import quiet_progress

    with quiet_progress():  # a bar for a 640 kB file is noise in `quiz setup`
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
    return {"recipe": recipe_key(), "weights_sha256": weights_digest(model)}


def _train_tokenizer(documents: list[str]) -> Any:
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2TokenizerFast

    bpe = ByteLevelBPETokenizer(add_prefix_space=False)
    bpe.train_from_iterator(
        documents, vocab_size=VOCAB_SIZE, min_frequency=2, special_tokens=[EOT], show_progress=False
    )
    # Like GPT-2's own tokenizer: one special token serves as bos, eos and unk, and there is no pad token.
    return GPT2TokenizerFast(tokenizer_object=bpe._tokenizer, bos_token=EOT, eos_token=EOT, unk_token=EOT)


def _train_model(tokenizer: Any, documents: list[str]) -> Any:
    import torch
    from torch.nn.functional import cross_entropy
    from transformers import GPT2Config, GPT2LMHeadModel

    eot_id = tokenizer.convert_tokens_to_ids(EOT)
    ids: list[int] = []
    for document in documents:
        ids += tokenizer(document)["input_ids"] + [eot_id]
    stream = torch.tensor(ids, dtype=torch.long)

    torch.manual_seed(TRAINING["seed"])
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=eot_id, eos_token_id=eot_id, **MODEL_CONFIG)
    model = GPT2LMHeadModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=TRAINING["lr"])
    block, batch = TRAINING["block_size"], TRAINING["batch_size"]
    model.train()
    for step in range(TRAINING["steps"]):
        starts = torch.randint(0, len(stream) - block, (batch,))
        inputs = torch.stack([stream[s : s + block] for s in starts.tolist()])
        logits = model(input_ids=inputs).logits[:, :-1]
        loss = cross_entropy(logits.reshape(-1, logits.shape[-1]), inputs[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == TRAINING["steps"] - 1:
            logger.debug("tiny GPT-2 step %d: loss %.3f", step, loss.item())
    model.eval()
    return model
