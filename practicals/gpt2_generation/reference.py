"""Judge-side reference generations with the course's small GPT-2, computed here (in the trusted process)
rather than recorded, so they stay right when the small model is rebuilt."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _model_and_tokenizer() -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from graders.assets import small_gpt2_path

    path = str(small_gpt2_path())
    model = AutoModelForCausalLM.from_pretrained(path)
    model.eval()
    return model, AutoTokenizer.from_pretrained(path)


@functools.cache
def greedy(prompt: str, **limits: int) -> tuple[str, tuple[int, ...]]:
    """The greedy continuation of ``prompt`` under ``limits`` (max_length / max_new_tokens): the text
    decoded without special tokens, and the generated token ids."""
    import torch

    model, tokenizer = _model_and_tokenizer()
    encoded = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        output = model.generate(
            **encoded, do_sample=False, num_beams=1, pad_token_id=tokenizer.eos_token_id, **limits
        )
    return tokenizer.decode(output[0], skip_special_tokens=True), tuple(output[0].tolist())


def eos_token_id() -> int:
    return int(_model_and_tokenizer()[1].eos_token_id)
