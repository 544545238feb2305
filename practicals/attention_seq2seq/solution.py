"""Practical 8 (reference solution): an encoder-decoder LSTM with dot-product (Luong) attention."""

from __future__ import annotations

import keras
import numpy as np

ATTENTION = "attention"


def build_attention_seq2seq(
    num_encoder_tokens: int, num_decoder_tokens: int, latent_dim: int = 256
) -> keras.Model:
    """``[encoder_in (b, Tx, ne), decoder_in (b, Ty, nd)] -> (b, Ty, nd)`` softmax, compiled.

    Each decoder step attends over *all* encoder steps (hence ``return_sequences=True``), and its own
    output is concatenated with the attention context before the output layers.
    """
    encoder_in = keras.Input(shape=(None, num_encoder_tokens), name="encoder_in")
    encoder_seq, state_h, state_c = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)(
        encoder_in
    )
    decoder_in = keras.Input(shape=(None, num_decoder_tokens), name="decoder_in")
    decoder_seq = keras.layers.LSTM(latent_dim, return_sequences=True)(
        decoder_in, initial_state=[state_h, state_c]
    )
    context, _ = keras.layers.Attention(name=ATTENTION)(
        [decoder_seq, encoder_seq], return_attention_scores=True
    )
    combined = keras.layers.Concatenate()([decoder_seq, context])
    hidden = keras.layers.Dense(latent_dim, activation="tanh")(combined)
    probs = keras.layers.Dense(num_decoder_tokens, activation="softmax")(hidden)
    model = keras.Model([encoder_in, decoder_in], probs, name="attention_seq2seq")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def attention_scores(model: keras.Model, encoder_input: np.ndarray, decoder_input: np.ndarray) -> np.ndarray:
    """The attention weights ``(b, Ty, Tx)`` the model uses for these inputs."""
    scores = model.get_layer(ATTENTION).output[1]
    return np.asarray(keras.Model(model.inputs, scores)([encoder_input, decoder_input]))
