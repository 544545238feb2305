"""Probes for lstm_classifier: call the submission on tiny inputs and report what they return."""

from __future__ import annotations

import random
from typing import Any

import keras
import numpy as np

from practicals import keras_probing
from practicals.check import CheckFailed, ProbeContext
from practicals.probing import array_summary, as_array

# A separable 3-class toy task: each text mixes words of one topic with shared filler words.
TOPICS = [
    ["goal", "match", "team", "score", "coach", "league", "stadium", "referee"],
    ["bake", "flour", "oven", "recipe", "sugar", "dough", "butter", "kitchen"],
    ["code", "python", "server", "laptop", "compile", "debug", "network", "database"],
]
FILLER = ["the", "a", "my", "today", "really", "very", "and", "we", "then", "so"]


def probe_prepare_data(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """prepare_data on given texts/labels: shapes, dtypes, padding and the label rows."""
    texts = ctx.kwargs.get("texts", keras_probing.SEED_TEXTS)
    labels = ctx.kwargs["labels"]
    num_words, maxlen = ctx.kwargs["num_words"], ctx.kwargs["maxlen"]
    x, y, _ = keras_probing.prepare_text_data(sub, texts, labels, num_words, maxlen)
    observation = keras_probing.prepared_data_observation(texts, labels, num_words, maxlen, x, y)
    if y.ndim == 2 and y.dtype.kind in "biuf":
        observation["y_rows"] = y.astype(float).round(6).tolist()
    return observation


def probe_unseen_words(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Texts with words the tokenizer never saw: the tokenizer and the model must cope."""
    num_words, maxlen = ctx.kwargs["num_words"], ctx.kwargs["maxlen"]
    _, _, tokenizer = keras_probing.prepare_text_data(
        sub, keras_probing.SEED_TEXTS, [0, 1, 2, 0, 2], num_words, maxlen
    )
    new_texts = ctx.kwargs["new_texts"]
    convert = getattr(tokenizer, "texts_to_sequences", None)
    if not callable(convert):
        raise CheckFailed(
            "the tokenizer returned by `prepare_data` (third item): expected an object with "
            f"texts_to_sequences(list[str]), observed {type(tokenizer).__name__}"
        )
    try:
        sequences = [
            [int(i) for i in as_array(seq, "a sequence").ravel()] for seq in convert(list(new_texts))
        ]
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - the student's tokenizer failing is the observation
        raise CheckFailed(
            f"tokenizer.texts_to_sequences from `prepare_data` on texts with unseen words: expected "
            f"sequences, observed {type(exc).__name__}: {exc}"
        ) from exc
    padded = keras.utils.pad_sequences(sequences, maxlen=maxlen)
    model = sub.build_model(num_words, maxlen, 3, embedding_dim=8, lstm_units=8)
    probabilities = keras_probing.run_model(model, padded)
    return {
        "num_words": num_words,
        "sequences": sequences,
        "probabilities": array_summary(probabilities),
    }


def probe_model_output(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """build_model's output on random word indices, its layer types and its compiled loss."""
    vocab_size, maxlen, num_classes = (
        ctx.kwargs["vocab_size"],
        ctx.kwargs["maxlen"],
        ctx.kwargs["num_classes"],
    )
    batch = ctx.kwargs["batch"]
    model = sub.build_model(vocab_size, maxlen, num_classes, embedding_dim=8, lstm_units=8)
    x = np.random.default_rng(ctx.seed).integers(1, vocab_size, size=(batch, maxlen)).astype("int32")
    output = keras_probing.run_model(model, x)
    observation: dict[str, Any] = {
        "batch": batch,
        "num_classes": num_classes,
        "output": array_summary(output),
        "layer_types": keras_probing.layer_types(model),
        "loss": keras_probing.compiled_loss(model),
    }
    if output.ndim == 2 and output.dtype.kind == "f":
        row_sums = output.sum(axis=1)
        observation["row_sum_min"], observation["row_sum_max"] = float(row_sums.min()), float(row_sums.max())
    return observation


def toy_topics(seed: int, per_class: int, classes: list[int]) -> tuple[list[str], list[int]]:
    """Short texts, each with 3 words of its class's topic and 3 filler words, shuffled."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(per_class * len(classes)):
        label = classes[i % len(classes)]
        words = rng.sample(TOPICS[classes.index(label)], 3) + rng.sample(FILLER, 3)
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def probe_learns(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Train on the separable toy task with the submission's own data preparation and compile settings."""
    classes, epochs, batch_size = ctx.kwargs["classes"], ctx.kwargs["epochs"], ctx.kwargs["batch_size"]
    num_words, maxlen = ctx.kwargs["num_words"], ctx.kwargs["maxlen"]
    texts, labels = toy_topics(ctx.seed, ctx.kwargs["per_class"], classes)
    x, y, _ = keras_probing.prepare_text_data(sub, texts, labels, num_words, maxlen)
    model = sub.build_model(num_words, maxlen, max(labels) + 1, embedding_dim=16, lstm_units=16)
    history = keras_probing.train(model, x, y, epochs=epochs, batch_size=batch_size)
    probabilities = keras_probing.run_model(model, x)
    if probabilities.shape != (len(texts), max(labels) + 1):
        raise CheckFailed(
            f"model output on {len(texts)} texts: expected shape ({len(texts)}, {max(labels) + 1}), "
            f"observed {probabilities.shape}"
        )
    accuracy = float(np.mean(probabilities.argmax(axis=1) == np.asarray(labels)))
    return {"epochs": epochs, "loss": history.get("loss", []), "accuracy": accuracy}
