"""Practical 5 (reference solution): an encoder-decoder LSTM trained with teacher forcing."""

from __future__ import annotations

import keras
import numpy as np


def prepare_data(
    source_seqs: list[list[int]],
    target_seqs: list[list[int]],
    num_encoder_tokens: int,
    num_decoder_tokens: int,
    start_index: int,
    stop_index: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-hot teacher-forcing arrays: encoder inputs, decoder inputs ``[start] + target`` and decoder
    targets ``target + [stop]`` (the decoder inputs shifted one step left). Padding rows are all zero."""
    n = len(source_seqs)
    tx = max(len(seq) for seq in source_seqs)
    ty = max(len(seq) for seq in target_seqs) + 1
    encoder_input = np.zeros((n, tx, num_encoder_tokens), dtype="float32")
    decoder_input = np.zeros((n, ty, num_decoder_tokens), dtype="float32")
    decoder_target = np.zeros((n, ty, num_decoder_tokens), dtype="float32")
    for i, (source, target) in enumerate(zip(source_seqs, target_seqs, strict=True)):
        encoder_input[i, np.arange(len(source)), source] = 1.0
        steps = np.arange(len(target) + 1)
        decoder_input[i, steps, [start_index, *target]] = 1.0
        decoder_target[i, steps, [*target, stop_index]] = 1.0
    return encoder_input, decoder_input, decoder_target


def build_seq2seq(
    num_encoder_tokens: int, num_decoder_tokens: int, latent_dim: int = 256
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """The compiled training model and the two inference models, all sharing the same layers."""
    encoder_in = keras.Input(shape=(None, num_encoder_tokens), name="encoder_in")
    _, state_h, state_c = keras.layers.LSTM(latent_dim, return_state=True, name="encoder_lstm")(encoder_in)

    decoder_in = keras.Input(shape=(None, num_decoder_tokens), name="decoder_in")
    decoder_lstm = keras.layers.LSTM(
        latent_dim, return_sequences=True, return_state=True, name="decoder_lstm"
    )
    decoder_dense = keras.layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_probs")
    sequence, _, _ = decoder_lstm(decoder_in, initial_state=[state_h, state_c])
    training_model = keras.Model([encoder_in, decoder_in], decoder_dense(sequence), name="seq2seq")
    training_model.compile(optimizer="adam", loss="categorical_crossentropy")

    encoder_model = keras.Model(encoder_in, [state_h, state_c], name="encoder")

    h_in = keras.Input(shape=(latent_dim,), name="h_in")
    c_in = keras.Input(shape=(latent_dim,), name="c_in")
    step, h_out, c_out = decoder_lstm(decoder_in, initial_state=[h_in, c_in])
    decoder_model = keras.Model([decoder_in, h_in, c_in], [decoder_dense(step), h_out, c_out], name="decoder")
    return training_model, encoder_model, decoder_model


def decode_sequence(
    input_seq: np.ndarray,
    encoder_model: keras.Model,
    decoder_model: keras.Model,
    num_decoder_tokens: int,
    start_index: int,
    stop_index: int,
    max_len: int,
) -> list[int]:
    """Greedy decoding of one one-hot source ``(1, Tx, ne)``: feed back the most likely token until the
    stop token or ``max_len`` tokens; the result holds neither the start nor the stop token."""
    # Calling the models directly is much faster than .predict for one tiny step at a time.
    h, c = (np.asarray(state) for state in encoder_model(np.asarray(input_seq, dtype="float32")))
    token, decoded = start_index, []
    while len(decoded) < max_len:
        step = np.zeros((1, 1, num_decoder_tokens), dtype="float32")
        step[0, 0, token] = 1.0
        probs, h, c = (np.asarray(out) for out in decoder_model([step, h, c]))
        token = int(np.argmax(probs[0, -1]))
        if token == stop_index:
            break
        decoded.append(token)
    return decoded
