"""Reference solution: text generation with a pre-trained GPT-2 (transformers, PyTorch)."""

from __future__ import annotations

from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def load_model(name_or_path: str = "gpt2") -> tuple[Any, Any]:
    """A GPT-2 language model in evaluation mode and its tokenizer, with the EOS token as pad token
    when the tokenizer has none (GPT-2 has none)."""
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(name_or_path)
    model.eval()
    return model, tokenizer


def generate_text(prompt: str, max_length: int, model: Any, tokenizer: Any, **generate_kwargs: Any) -> str:
    """``prompt`` and its continuation, at most ``max_length`` tokens in all (``max_new_tokens`` in
    ``generate_kwargs`` takes precedence), decoded without special tokens."""
    encoded = tokenizer(prompt, return_tensors="pt")
    limits = {} if "max_new_tokens" in generate_kwargs else {"max_length": max_length}
    pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    with torch.no_grad():
        output = model.generate(
            input_ids=encoded["input_ids"],
            attention_mask=encoded["attention_mask"],
            pad_token_id=pad_token_id,
            **limits,
            **generate_kwargs,
        )
    return tokenizer.decode(output[0], skip_special_tokens=True)
