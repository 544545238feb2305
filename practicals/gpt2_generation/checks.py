"""Reference checks for gpt2_generation: run with
``pytest practicals/gpt2_generation/checks.py --submission PATH``."""

from __future__ import annotations

from typing import Any

from practicals.check import Observation, check, expect, expect_at_most, expect_equal
from practicals.gpt2_generation import probes, reference

EOT = "<|endoftext|>"


def _call(run: dict[str, Any], hidden: bool = False) -> str:
    prompt = "<hidden prompt>" if hidden else repr(run["prompt"])
    extra = "".join(f", {k}={v!r}" for k, v in run["kwargs"].items())
    return f"`generate_text({prompt}, {run['max_length']}, model, tokenizer{extra})`"


def _limits(run: dict[str, Any]) -> dict[str, int]:
    if "max_new_tokens" in run["kwargs"]:
        return {"max_new_tokens": run["kwargs"]["max_new_tokens"]}
    return {"max_length": run["max_length"]}


def _matches_greedy(run: dict[str, Any], hidden: bool) -> None:
    expected, _ids = reference.greedy(run["prompt"], **_limits(run))
    if hidden:
        expect(
            run["text"] == expected,
            f"{_call(run, hidden=True)}: greedy decoding of the small GPT-2",
            expected=f"the reference greedy continuation ({len(expected)} characters)",
            observed=f"another text ({len(run['text'])} characters)",
        )
    else:
        expect_equal(run["text"], expected, f"{_call(run)}: greedy decoding of the small GPT-2")


@check(points=2, probe=probes.probe_load_model, timeout=90)
def test_load_model_sets_pad_token(obs: Observation) -> None:
    """`load_model` returns a PyTorch model and its tokenizer, with the EOS token as pad token."""
    expect(
        obs["model_is_module"],
        "`load_model(path)` first item",
        expected="a transformers model (torch.nn.Module with .generate)",
        observed=obs["model_type"],
    )
    expect(
        obs["pad_token"] is not None and obs["pad_token"] == obs["eos_token"],
        "`load_model(path)` tokenizer.pad_token (GPT-2 has none, so set it to the EOS token)",
        expected=repr(obs["eos_token"]),
        observed=repr(obs["pad_token"]),
    )


@check(points=2, probe=probes.probe_shown_prompts, timeout=90)
def test_result_starts_with_prompt(obs: Observation) -> None:
    """The result is the prompt followed by its continuation."""
    for run in obs["runs"]:
        expect(
            run["text"].startswith(run["prompt"]),
            f"{_call(run)}: the result must start with the prompt",
            expected=repr(run["prompt"] + "..."),
            observed=repr(run["text"]),
        )
        expect(
            len(run["text"]) > len(run["prompt"]),
            f"{_call(run)}: the result must continue the prompt",
            expected="a continuation after the prompt",
            observed=repr(run["text"]),
        )


@check(points=2, probe=probes.probe_lengths, timeout=90)
def test_total_tokens_at_most_max_length(obs: Observation) -> None:
    """`max_length` counts prompt plus new tokens: the generated sequence is at most that long."""
    for run in obs["runs"]:
        for call in run["calls"]:
            length = call["output_shape"][-1] if call["output_shape"] else None
            expect_at_most(
                length, run["max_length"], f"{_call(run)}: tokens in the sequence model.generate returned"
            )
        expect(
            run["text"].startswith(run["prompt"]),
            f"{_call(run)}: the result must start with the prompt",
            expected=repr(run["prompt"] + "..."),
            observed=repr(run["text"]),
        )


@check(points=3, probe=probes.probe_greedy, timeout=90)
def test_greedy_matches_reference(obs: Observation) -> None:
    """Greedy decoding (`do_sample=False`) gives the reference continuation."""
    _matches_greedy(obs, hidden=False)


@check(points=2, probe=probes.probe_max_new_tokens, visibility="hidden", timeout=90)
def test_max_new_tokens_takes_precedence(obs: Observation) -> None:
    """A `max_new_tokens` in `generate_kwargs` wins over `max_length`."""
    for call in obs["calls"]:
        expect_equal(
            call["output_shape"][-1] if call["output_shape"] else None,
            obs["prompt_tokens"] + obs["kwargs"]["max_new_tokens"],
            f"{_call(obs)}: tokens in the sequence model.generate returned (prompt + max_new_tokens)",
        )
    _matches_greedy(obs, hidden=True)


@check(points=2, probe=probes.probe_sampling, timeout=120)
def test_sampling_reproducible_with_torch_seed(obs: Observation) -> None:
    """With `do_sample=True`, one `torch.manual_seed` gives one text, and other seeds other texts."""
    for seed, first, again in zip(obs["seeds"], obs["first"], obs["again"], strict=True):
        expect_equal(again["text"], first["text"], f"{_call(first)} twice after torch.manual_seed({seed})")
        expect(
            all(call["do_sample"] for call in first["calls"]),
            f"{_call(first)}: the keyword arguments must reach model.generate",
            expected="do_sample=True in the call to model.generate",
            observed=f"do_sample={first['calls'][0]['do_sample']!r}",
        )
    distinct = len({run["text"] for run in obs["first"]})
    expect(
        distinct > 1,
        f"{_call(obs['first'][0])} after torch.manual_seed of {len(obs['seeds'])} different seeds",
        expected="different samples (do not fix the seed inside generate_text)",
        observed=f"{distinct} distinct text(s)",
    )


@check(points=2, probe=probes.probe_generate_arguments, timeout=90)
def test_attention_mask_and_pad_token_passed(obs: Observation) -> None:
    """`model.generate` receives the tokenizer's `attention_mask` and a `pad_token_id` (the EOS id)."""
    run = obs["run"]
    for call in run["calls"]:
        expect(
            call["attention_mask_shape"] is not None and call["attention_mask_shape"] == call["input_shape"],
            f"{_call(run)}: arguments of model.generate",
            expected="attention_mask=<the tokenizer's mask, same shape as input_ids>",
            observed="no attention_mask"
            if call["attention_mask_shape"] is None
            else f"attention_mask {call['attention_mask_shape']} for input_ids {call['input_shape']}",
        )
        expect(
            call["pad_token_id"] == obs["pad_token_id"],
            f"{_call(run)}: pad_token_id reaching model.generate",
            expected=f"pad_token_id={obs['pad_token_id']} (the EOS id)",
            observed=f"pad_token_id={call['pad_token_id']!r}"
            + (f" (from {call['pad_source']})" if call["pad_source"] else ""),
        )


@check(points=1, probe=probes.probe_special_tokens, visibility="hidden", timeout=90)
def test_special_tokens_stripped(obs: Observation) -> None:
    """Special tokens such as the end-of-text token are stripped from the result."""
    expected, ids = reference.greedy(obs["prompt"], max_length=obs["max_length"])
    assert reference.eos_token_id() in ids, "the special-token check needs a prompt the model ends"
    expect(
        EOT not in obs["text"],
        f"{_call(obs, hidden=True)}: a generation that ends with the end-of-text token",
        expected=f"no {EOT} in the result (decode with skip_special_tokens=True)",
        observed=f"{obs['text'].count(EOT)} {EOT} in the result",
    )
    _matches_greedy(obs, hidden=True)


@check(points=2, probe=probes.probe_hidden_greedy, visibility="hidden", timeout=90)
def test_greedy_on_other_prompts(obs: Observation) -> None:
    """Greedy decoding gives the reference continuation on other prompts and lengths."""
    for run in obs["runs"]:
        _matches_greedy(run, hidden=True)
