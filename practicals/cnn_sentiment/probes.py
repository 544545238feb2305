"""Probes for cnn_sentiment: call the submission on tiny inputs and report what it returns."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from practicals import keras_probing
from practicals.check import CheckFailed, ProbeContext
from practicals.probing import array_summary, as_array

POSITIVE = ["great", "love", "excellent", "wonderful", "happy", "amazing", "superb", "delightful", "enjoyed"]
NEGATIVE = ["awful", "hate", "terrible", "boring", "sad", "horrible", "poor", "dreadful", "disliked"]
FILLER = ["the", "movie", "film", "was", "this", "plot", "actors", "story", "it", "really", "quite", "and"]


def probe_prepare_data(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """prepare_data on given texts/labels: shapes, dtypes, padding and the label values."""
    texts, labels = ctx.kwargs.get("texts", keras_probing.SEED_TEXTS), ctx.kwargs["labels"]
    num_words, maxlen = ctx.kwargs["num_words"], ctx.kwargs["maxlen"]
    x, y, _ = keras_probing.prepare_text_data(sub, texts, labels, num_words, maxlen)
    observation = keras_probing.prepared_data_observation(texts, labels, num_words, maxlen, x, y)
    if y.dtype.kind in "biuf":
        observation["y_values"] = y.astype(float).ravel().round(6).tolist()
    return observation


def probe_model_output(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """build_model's output on random word indices, its layer types and its compiled loss."""
    vocab_size, maxlen, batch = ctx.kwargs["vocab_size"], ctx.kwargs["maxlen"], ctx.kwargs["batch"]
    model = sub.build_model(
        vocab_size, maxlen, embedding_dim=8, filters=8, kernel_size=ctx.kwargs["kernel_size"]
    )
    x = np.random.default_rng(ctx.seed).integers(1, vocab_size, size=(batch, maxlen)).astype("int32")
    return {
        "batch": batch,
        "output": array_summary(keras_probing.run_model(model, x)),
        "layer_types": keras_probing.layer_types(model),
        "loss": keras_probing.compiled_loss(model),
    }


def _predict(sub: Any, model: Any, tokenizer: Any, texts: list[str], maxlen: int) -> np.ndarray:
    return as_array(sub.predict_sentiment(model, tokenizer, texts, maxlen), "`predict_sentiment` result")


def probe_predict(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """predict_sentiment with an untrained model on texts that include unseen words."""
    num_words, maxlen = ctx.kwargs["num_words"], ctx.kwargs["maxlen"]
    _, _, tokenizer = keras_probing.prepare_text_data(
        sub, keras_probing.SEED_TEXTS, [1, 0, 1, 0, 1], num_words, maxlen
    )
    model = sub.build_model(num_words, maxlen, embedding_dim=8, filters=8, kernel_size=3)
    texts = ctx.kwargs["texts"]
    return {"n": len(texts), "probabilities": array_summary(_predict(sub, model, tokenizer, texts, maxlen))}


def toy_reviews(rng: random.Random, count: int) -> tuple[list[str], list[int]]:
    """Balanced short reviews: two sentiment words of the label's polarity among three filler words."""
    texts, labels = [], []
    for i in range(count):
        label = i % 2
        words = rng.sample(POSITIVE if label else NEGATIVE, 2) + rng.sample(FILLER, 3)
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def probe_learns_heldout(sub: Any, ctx: ProbeContext) -> dict[str, Any]:
    """Train on a balanced toy set with the submission's own preparation and compile settings; report the
    accuracy of predict_sentiment on held-out reviews (new word combinations)."""
    num_words, maxlen = ctx.kwargs["num_words"], ctx.kwargs["maxlen"]
    rng = random.Random(ctx.seed)
    train_texts, train_labels = toy_reviews(rng, ctx.kwargs["train_size"])
    test_texts, test_labels = toy_reviews(rng, ctx.kwargs["test_size"])
    x, y, tokenizer = keras_probing.prepare_text_data(sub, train_texts, train_labels, num_words, maxlen)
    model = sub.build_model(num_words, maxlen, embedding_dim=16, filters=16, kernel_size=3)
    history = keras_probing.train(
        model, x, y, epochs=ctx.kwargs["epochs"], batch_size=ctx.kwargs["batch_size"]
    )
    probabilities = _predict(sub, model, tokenizer, test_texts, maxlen).reshape(-1)
    if probabilities.shape != (len(test_texts),):
        raise CheckFailed(
            f"`predict_sentiment` on {len(test_texts)} texts: expected shape ({len(test_texts)},), "
            f"observed {probabilities.shape}"
        )
    accuracy = float(np.mean((probabilities > 0.5) == np.asarray(test_labels, dtype=bool)))
    return {"test_size": len(test_texts), "accuracy": accuracy, "loss": history.get("loss", [])}
