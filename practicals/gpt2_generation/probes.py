"""Probes for gpt2_generation: run the submission with the course's small local GPT-2 and record what reaches
``model.generate`` (by wrapping the model's own ``generate``) and what comes back."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from practicals.check import CheckFailed, Observation, ProbeContext

GREEDY_PROMPT = "The attention mechanism"
SHOWN_PROMPTS = [GREEDY_PROMPT, "Hello, world!", "GPT-2 generates text"]
SAMPLING_PROMPT = "A language model"
# The small model ends this sentence and then emits its end-of-text token.
EOS_PROMPT = "Self-attention is a key component"
_HIDDEN_GREEDY = [
    ("Transformer architecture.", {"max_length": 25}),
    ("GPT-2 generates text", {"max_new_tokens": 12}),
    ("What is BERT", {"max_length": 40}),
]


def _model_path() -> str:
    from graders.assets import small_gpt2_path

    return str(small_gpt2_path())


@functools.cache
def _model_and_tokenizer() -> tuple[Any, Any]:
    """The small GPT-2 loaded here, set up as the contract's ``load_model`` would (EOS as pad token), so
    the generation checks do not depend on the submission's ``load_model``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_model_path())
    tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(_model_path())
    model.eval()
    return model, tokenizer


def _shape(value: Any) -> list[int] | None:
    return list(value.shape) if hasattr(value, "shape") else None


@contextlib.contextmanager
def _recorded(model: Any) -> Iterator[list[dict[str, Any]]]:
    """Record every ``model.generate`` call: which arguments arrived and the shape of the result."""
    calls: list[dict[str, Any]] = []
    original = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        inputs = args[0] if args else kwargs.get("input_ids", kwargs.get("inputs"))
        config = kwargs.get("generation_config")
        pad_sources = {
            "argument": kwargs.get("pad_token_id"),
            "generation_config argument": getattr(config, "pad_token_id", None),
            "model.generation_config": getattr(model.generation_config, "pad_token_id", None),
        }
        output = original(*args, **kwargs)
        sequences = getattr(output, "sequences", output)
        calls.append(
            {
                "arguments": sorted(kwargs),
                "input_shape": _shape(inputs),
                "attention_mask_shape": _shape(kwargs.get("attention_mask")),
                "pad_token_id": next((v for v in pad_sources.values() if v is not None), None),
                "pad_source": next((k for k, v in pad_sources.items() if v is not None), None),
                "do_sample": kwargs.get("do_sample", getattr(config, "do_sample", None)),
                "output_shape": _shape(sequences),
                "last_ids": sequences[0].tolist()[-3:] if _shape(sequences) else None,
            }
        )
        return output

    model.generate = generate
    try:
        yield calls
    finally:
        del model.generate


def _generate(sub: Any, prompt: str, max_length: int, **kwargs: Any) -> dict[str, Any]:
    """One ``generate_text`` call: its result and the ``model.generate`` calls it made."""
    model, tokenizer = _model_and_tokenizer()
    with _recorded(model) as calls:
        text = sub.generate_text(prompt, max_length, model, tokenizer, **kwargs)
    if not isinstance(text, str):
        raise CheckFailed(f"`generate_text` must return a str, observed {type(text).__name__}")
    if not calls:
        raise CheckFailed("`generate_text` must call `model.generate`; observed no call")
    return {
        "prompt": prompt,
        "max_length": max_length,
        "kwargs": kwargs,
        "text": text,
        "prompt_tokens": len(tokenizer(prompt)["input_ids"]),
        "calls": calls,
    }


def probe_load_model(sub: Any, ctx: ProbeContext) -> Observation:
    import torch

    result = sub.load_model(_model_path())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed("`load_model` must return a tuple (model, tokenizer)")
    model, tokenizer = result
    return {
        "model_is_module": isinstance(model, torch.nn.Module) and callable(getattr(model, "generate", None)),
        "model_type": type(model).__name__,
        "tokenizer_type": type(tokenizer).__name__,
        "pad_token": getattr(tokenizer, "pad_token", None),
        "pad_token_id": getattr(tokenizer, "pad_token_id", None),
        "eos_token": getattr(tokenizer, "eos_token", None),
    }


def probe_shown_prompts(sub: Any, ctx: ProbeContext) -> Observation:
    return {"runs": [_generate(sub, prompt, 20, do_sample=False) for prompt in SHOWN_PROMPTS]}


def probe_lengths(sub: Any, ctx: ProbeContext) -> Observation:
    return {"runs": [_generate(sub, GREEDY_PROMPT, max_length) for max_length in (8, 15)]}


def probe_greedy(sub: Any, ctx: ProbeContext) -> Observation:
    return _generate(sub, GREEDY_PROMPT, 20, do_sample=False)


def probe_max_new_tokens(sub: Any, ctx: ProbeContext) -> Observation:
    # max_length alone would stop before the prompt's end: max_new_tokens must win.
    return _generate(sub, GREEDY_PROMPT, 2, max_new_tokens=10, do_sample=False)


def probe_sampling(sub: Any, ctx: ProbeContext) -> Observation:
    import torch

    def sample(seed: int) -> dict[str, Any]:
        torch.manual_seed(seed)
        return _generate(sub, SAMPLING_PROMPT, 24, do_sample=True, top_k=0, temperature=1.5)

    seeds = [ctx.seed * 10 + i for i in range(3)]
    return {"seeds": seeds, "first": [sample(s) for s in seeds], "again": [sample(s) for s in seeds]}


def probe_generate_arguments(sub: Any, ctx: ProbeContext) -> Observation:
    run = _generate(sub, GREEDY_PROMPT, 12, do_sample=False)
    return {"run": run, "pad_token_id": _model_and_tokenizer()[1].eos_token_id}


def probe_special_tokens(sub: Any, ctx: ProbeContext) -> Observation:
    return _generate(sub, EOS_PROMPT, 40, do_sample=False)


def probe_hidden_greedy(sub: Any, ctx: ProbeContext) -> Observation:
    runs = []
    for prompt, limits in _HIDDEN_GREEDY:
        max_length = limits.get("max_length", 3)  # with max_new_tokens, a max_length too small to matter
        extra = {k: v for k, v in limits.items() if k != "max_length"}
        runs.append(_generate(sub, prompt, max_length, do_sample=False, **extra))
    return {"runs": runs}
