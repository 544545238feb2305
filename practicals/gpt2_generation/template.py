"""Practical 6: text generation with a pre-trained GPT-2 (transformers, PyTorch).

Implement the two functions below. Keep their names and parameters: the checks call them.
"""

from __future__ import annotations

from typing import Any


def load_model(name_or_path: str = "gpt2") -> tuple[Any, Any]:
    """Load a GPT-2 language model and its tokenizer with ``from_pretrained(name_or_path)`` and return
    ``(model, tokenizer)``.

    GPT-2's tokenizer has no pad token: when ``tokenizer.pad_token`` is None, set it to the EOS token.
    """
    raise NotImplementedError("load the model and tokenizer with from_pretrained; set pad_token = eos_token")


def generate_text(prompt: str, max_length: int, model: Any, tokenizer: Any, **generate_kwargs: Any) -> str:
    """Return ``prompt`` followed by the model's continuation.

    - ``max_length`` counts prompt plus new tokens; a ``max_new_tokens`` in ``generate_kwargs`` takes
      precedence over it.
    - Pass the tokenizer's ``attention_mask`` and a ``pad_token_id`` (the pad or EOS token id) to
      ``model.generate``, together with every keyword of ``generate_kwargs`` (``do_sample``, ``top_k`` ...)
      and no generation options of your own.
    - Decode the whole first sequence with ``tokenizer.decode(output[0], skip_special_tokens=True)``.
    """
    raise NotImplementedError(
        "tokenize the prompt, call model.generate with the mask and pad id, decode output[0]"
    )
