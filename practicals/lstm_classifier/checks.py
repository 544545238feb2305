"""Reference checks for lstm_classifier (text classification with an LSTM)."""

from __future__ import annotations

from typing import Any

from practicals.check import check, expect, expect_at_least, expect_at_most, expect_close, expect_equal
from practicals.keras_probing import has_layer
from practicals.lstm_classifier import probes


def _expect_shapes(obs: dict[str, Any]) -> None:
    n, maxlen, num_classes = obs["n"], obs["maxlen"], max(obs["labels"]) + 1
    expect_equal(obs["x"]["shape"], [n, maxlen], "shape of the sequences from `prepare_data`")
    expect(
        obs["x"]["dtype"].startswith(("int", "uint")),
        "dtype of the sequences from `prepare_data`",
        expected="an integer dtype",
        observed=obs["x"]["dtype"],
    )
    expect_equal(
        obs["y"]["shape"], [n, num_classes], "shape of the labels from `prepare_data` (n, max(labels) + 1)"
    )
    expect(
        obs["y"]["dtype"].startswith("float"),
        "dtype of the one-hot labels from `prepare_data`",
        expected="a float dtype",
        observed=obs["y"]["dtype"],
    )


@check(points=2, probe=probes.probe_prepare_data, labels=[0, 1, 2, 0, 2], num_words=50, maxlen=12)
def test_prepare_data_shapes(obs: dict[str, Any]) -> None:
    """`prepare_data` returns integer sequences (n, maxlen) and float one-hot labels (n, num_classes)."""
    _expect_shapes(obs)


@check(
    points=1,
    probe=probes.probe_prepare_data,
    visibility="hidden",
    texts=["a b c d e f g h i j k l", "m n", "o p q r s t", "u"],
    labels=[1, 0, 1, 0],
    num_words=100,
    maxlen=5,
)
def test_prepare_data_shapes_other_sizes(obs: dict[str, Any]) -> None:
    """`prepare_data` honours other `maxlen` values and two classes."""
    _expect_shapes(obs)


@check(
    points=2,
    probe=probes.probe_prepare_data,
    texts=["one two three four five six seven eight nine ten", "alpha beta", "gamma delta epsilon"],
    labels=[0, 1, 0],
    num_words=100,
    maxlen=6,
)
def test_padding_to_maxlen(obs: dict[str, Any]) -> None:
    """Short texts are padded with 0 and long texts truncated to exactly `maxlen` word indices."""
    expect_equal(obs["x"]["shape"], [obs["n"], obs["maxlen"]], "shape of the sequences from `prepare_data`")
    expected = [min(words, obs["maxlen"]) for words in obs["words_per_text"]]
    expect_equal(
        obs["nonzero_per_row"],
        expected,
        "non-zero word indices per row (texts of 10, 2 and 3 words, maxlen 6)",
    )


def _expect_one_hot(obs: dict[str, Any]) -> None:
    labels = obs["labels"]
    expect_equal(obs["y"]["shape"], [len(labels), max(labels) + 1], "shape of the labels from `prepare_data`")
    rows = obs["y_rows"]
    for label, row in zip(labels, rows, strict=True):
        one_hot = [1.0 if k == label else 0.0 for k in range(len(row))]
        expect_equal(row, one_hot, f"one-hot row for label {label}")


@check(points=2, probe=probes.probe_prepare_data, labels=[2, 0, 1, 2, 1], num_words=50, maxlen=10)
def test_labels_one_hot(obs: dict[str, Any]) -> None:
    """Labels are one-hot: row i has a single 1 at column labels[i]."""
    _expect_one_hot(obs)


@check(
    points=1,
    probe=probes.probe_prepare_data,
    visibility="hidden",
    labels=[3, 0, 3, 1, 0],
    num_words=50,
    maxlen=10,
)
def test_labels_one_hot_missing_class(obs: dict[str, Any]) -> None:
    """The number of classes is max(labels) + 1, even when a class id does not occur."""
    _expect_one_hot(obs)


@check(
    points=1,
    probe=probes.probe_prepare_data,
    visibility="hidden",
    texts=[" ".join(f"w{i}{j}" for j in range(8)) for i in range(4)],
    labels=[0, 1, 0, 1],
    num_words=6,
    maxlen=8,
)
def test_vocabulary_limited_to_num_words(obs: dict[str, Any]) -> None:
    """Every word index is below `num_words`, so it fits an Embedding(num_words, ...)."""
    expect_at_most(obs["x"]["max"], obs["num_words"] - 1, "largest word index (32 distinct words)")
    expect_at_least(obs["x"]["min"], 0, "smallest word index")


@check(
    points=2,
    probe=probes.probe_unseen_words,
    num_words=50,
    maxlen=10,
    new_texts=["zebras juggle quantum marmalade", "I love zebras", ""],
)
def test_unseen_words(obs: dict[str, Any]) -> None:
    """Unseen words neither crash the tokenizer nor the model, and map to indices below `num_words`."""
    indices = [i for seq in obs["sequences"] for i in seq]
    expect(
        all(0 <= i < obs["num_words"] for i in indices),
        "word indices of texts with unseen words",
        expected=f"all in [0, {obs['num_words']})",
        observed=obs["sequences"],
    )
    expect(
        obs["probabilities"].get("finite", False),
        "model probabilities for texts with unseen words",
        expected="finite numbers",
        observed=obs["probabilities"],
    )


def _expect_softmax(obs: dict[str, Any]) -> None:
    expect_equal(
        obs["output"]["shape"], [obs["batch"], obs["num_classes"]], "model output shape (batch, num_classes)"
    )
    expect_at_least(obs["output"]["min"], 0.0, "smallest output probability")
    expect_at_most(obs["output"]["max"], 1.0, "largest output probability")
    expect_close(obs["row_sum_min"], 1.0, "smallest row sum of the softmax output", tol=1e-3)
    expect_close(obs["row_sum_max"], 1.0, "largest row sum of the softmax output", tol=1e-3)


@check(points=2, probe=probes.probe_model_output, vocab_size=40, maxlen=9, num_classes=4, batch=5)
def test_output_is_softmax(obs: dict[str, Any]) -> None:
    """The model maps (batch, maxlen) word indices to (batch, num_classes) probabilities summing to 1."""
    _expect_softmax(obs)


@check(
    points=1,
    probe=probes.probe_model_output,
    visibility="hidden",
    vocab_size=25,
    maxlen=4,
    num_classes=2,
    batch=3,
)
def test_output_is_softmax_other_sizes(obs: dict[str, Any]) -> None:
    """The output follows `num_classes` and `maxlen` for other sizes too."""
    _expect_softmax(obs)


@check(points=2, probe=probes.probe_model_output, vocab_size=40, maxlen=9, num_classes=3, batch=2)
def test_has_embedding_and_lstm(obs: dict[str, Any]) -> None:
    """The model contains an Embedding layer and an LSTM layer (possibly wrapped or nested)."""
    types = obs["layer_types"]
    expect(has_layer(types, "Embedding"), "Embedding layer", expected="present", observed=types)
    expect(has_layer(types, "LSTM", "LSTMCell"), "LSTM layer", expected="present", observed=types)


@check(points=1, probe=probes.probe_model_output, vocab_size=40, maxlen=9, num_classes=3, batch=2)
def test_compiled_with_categorical_crossentropy(obs: dict[str, Any]) -> None:
    """The model is compiled with categorical cross-entropy on probabilities (one-hot labels)."""
    loss = obs["loss"]
    expect_equal(loss["name"], "categoricalcrossentropy", "compiled loss (normalised name)")
    expect(
        not loss["from_logits"],
        "loss option from_logits",
        expected="False (the model outputs softmax probabilities)",
        observed=loss["from_logits"],
    )


@check(
    points=5,
    probe=probes.probe_learns,
    timeout=120,
    classes=[0, 1, 2],
    per_class=24,
    num_words=60,
    maxlen=10,
    epochs=25,
    batch_size=8,
)
def test_learns_separable_classes(obs: dict[str, Any]) -> None:
    """On a small separable 3-class set the loss falls and training accuracy reaches 0.9."""
    losses = obs["loss"]
    expect(
        len(losses) == obs["epochs"] and None not in losses,
        "training loss per epoch",
        expected=f"{obs['epochs']} finite values",
        observed=losses,
    )
    expect_at_most(
        losses[-1], 0.6 * losses[0], f"training loss after {obs['epochs']} epochs (first: {losses[0]:.3f})"
    )
    expect_at_least(obs["accuracy"], 0.9, f"training accuracy after {obs['epochs']} epochs")
