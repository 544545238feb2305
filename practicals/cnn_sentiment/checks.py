"""Reference checks for cnn_sentiment (sentiment analysis with a 1-D CNN)."""

from __future__ import annotations

from typing import Any

from practicals.check import check, expect, expect_at_least, expect_at_most, expect_equal
from practicals.cnn_sentiment import probes
from practicals.keras_probing import has_layer


@check(points=2, probe=probes.probe_prepare_data, labels=[1, 0, 1, 0, 0], num_words=50, maxlen=12)
def test_prepare_data_shapes(obs: dict[str, Any]) -> None:
    """`prepare_data` returns integer sequences (n, maxlen) and float labels (n,)."""
    n, maxlen = obs["n"], obs["maxlen"]
    expect_equal(obs["x"]["shape"], [n, maxlen], "shape of the sequences from `prepare_data`")
    expect(
        obs["x"]["dtype"].startswith(("int", "uint")),
        "dtype of the sequences from `prepare_data`",
        expected="an integer dtype",
        observed=obs["x"]["dtype"],
    )
    expect_equal(obs["y"]["shape"], [n], "shape of the labels from `prepare_data`")
    expect(
        obs["y"]["dtype"].startswith("float"),
        "dtype of the labels from `prepare_data`",
        expected="a float dtype",
        observed=obs["y"]["dtype"],
    )


@check(points=2, probe=probes.probe_prepare_data, labels=[1, 0, 1, 0, 0], num_words=50, maxlen=12)
def test_labels_are_the_given_labels(obs: dict[str, Any]) -> None:
    """The labels from `prepare_data` are the given 0/1 labels, in order."""
    expect_equal(obs.get("y_values"), [float(label) for label in obs["labels"]], "labels from `prepare_data`")


@check(
    points=1,
    probe=probes.probe_prepare_data,
    visibility="hidden",
    texts=["one two three four five six seven eight nine ten", "alpha beta", "gamma delta epsilon"],
    labels=[0, 1, 1],
    num_words=100,
    maxlen=6,
)
def test_padding_to_maxlen(obs: dict[str, Any]) -> None:
    """Short texts are padded with 0 and long texts truncated to exactly `maxlen` word indices."""
    expect_equal(obs["x"]["shape"], [obs["n"], obs["maxlen"]], "shape of the sequences from `prepare_data`")
    expected = [min(words, obs["maxlen"]) for words in obs["words_per_text"]]
    expect_equal(obs["nonzero_per_row"], expected, "non-zero word indices per row (maxlen 6)")


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


def _expect_probability_column(obs: dict[str, Any]) -> None:
    output = obs["output"]
    expect_equal(output["shape"], [obs["batch"], 1], "model output shape (batch, 1)")
    expect_at_least(output["min"], 0.0, "smallest output")
    expect_at_most(output["max"], 1.0, "largest output")


@check(points=2, probe=probes.probe_model_output, vocab_size=40, maxlen=12, kernel_size=3, batch=5)
def test_output_is_probability(obs: dict[str, Any]) -> None:
    """The model maps (batch, maxlen) word indices to (batch, 1) probabilities in [0, 1]."""
    _expect_probability_column(obs)


@check(
    points=1,
    probe=probes.probe_model_output,
    visibility="hidden",
    vocab_size=20,
    maxlen=7,
    kernel_size=5,
    batch=3,
)
def test_output_is_probability_other_sizes(obs: dict[str, Any]) -> None:
    """The output shape holds for other `maxlen` and `kernel_size` values too."""
    _expect_probability_column(obs)


@check(points=2, probe=probes.probe_model_output, vocab_size=40, maxlen=12, kernel_size=3, batch=2)
def test_has_conv1d_and_global_max_pooling(obs: dict[str, Any]) -> None:
    """The model contains Conv1D and GlobalMaxPooling1D layers (possibly nested)."""
    types = obs["layer_types"]
    expect(has_layer(types, "Conv1D"), "Conv1D layer", expected="present", observed=types)
    expect(
        has_layer(types, "GlobalMaxPooling1D"), "GlobalMaxPooling1D layer", expected="present", observed=types
    )


@check(points=1, probe=probes.probe_model_output, vocab_size=40, maxlen=12, kernel_size=3, batch=2)
def test_compiled_with_binary_crossentropy(obs: dict[str, Any]) -> None:
    """The model is compiled with binary cross-entropy on probabilities."""
    loss = obs["loss"]
    expect_equal(loss["name"], "binarycrossentropy", "compiled loss (normalised name)")
    expect(
        not loss["from_logits"],
        "loss option from_logits",
        expected="False (the model outputs sigmoid probabilities)",
        observed=loss["from_logits"],
    )


@check(
    points=2,
    probe=probes.probe_predict,
    num_words=50,
    maxlen=12,
    texts=["I love Python", "zebras juggle quantum marmalade", "data is growing"],
)
def test_predict_sentiment_probabilities(obs: dict[str, Any]) -> None:
    """`predict_sentiment` returns (n,) probabilities in [0, 1], also for texts with unseen words."""
    probabilities = obs["probabilities"]
    expect_equal(probabilities["shape"], [obs["n"]], "shape of the `predict_sentiment` result (n,)")
    expect(
        probabilities.get("finite", False),
        "`predict_sentiment` values",
        expected="finite numbers",
        observed=probabilities,
    )
    expect_at_least(probabilities["min"], 0.0, "smallest `predict_sentiment` value")
    expect_at_most(probabilities["max"], 1.0, "largest `predict_sentiment` value")


@check(
    points=6,
    probe=probes.probe_learns_heldout,
    timeout=120,
    train_size=80,
    test_size=30,
    num_words=60,
    maxlen=10,
    epochs=20,
    batch_size=8,
)
def test_learns_heldout_accuracy(obs: dict[str, Any]) -> None:
    """After training on a small balanced positive/negative set, held-out accuracy is at least 0.8."""
    expect_at_least(
        obs["accuracy"], 0.8, f"held-out accuracy of `predict_sentiment` on {obs['test_size']} reviews"
    )
