"""Practical 5: a sequence-to-sequence (encoder-decoder) LSTM for translation (Keras 3).

Implement the three functions below. Keep their names and parameters: the checks call them.
Tokens are integer indices; every array the models see is one-hot (float), as in the seed notebook.
"""

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
    """Build the one-hot arrays for teacher-forced training.

    Returns ``(encoder_input_data, decoder_input_data, decoder_target_data)`` with shapes
    ``(n, Tx, num_encoder_tokens)``, ``(n, Ty, num_decoder_tokens)`` and ``(n, Ty, num_decoder_tokens)``,
    where ``Tx`` is the longest source and ``Ty`` the longest target plus one. For sample ``i``:
    the encoder input is the one-hot of ``source_seqs[i]``; the decoder input is the one-hot of
    ``[start_index] + target_seqs[i]``; the decoder target is the one-hot of
    ``target_seqs[i] + [stop_index]`` (the decoder input shifted one step to the left).
    Steps after the end of a shorter sequence are all-zero rows.
    """
    raise NotImplementedError("build the three one-hot arrays: sources, [start] + target, target + [stop]")


def build_seq2seq(
    num_encoder_tokens: int, num_decoder_tokens: int, latent_dim: int = 256
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Return ``(training_model, encoder_model, decoder_model)``.

    - training model: ``[encoder_in (b, Tx, ne), decoder_in (b, Ty, nd)] -> (b, Ty, nd)`` softmax; an
      encoder LSTM with ``return_state=True`` whose final ``[h, c]`` is the ``initial_state`` of a decoder
      LSTM with ``return_sequences=True``; compiled (e.g. ``categorical_crossentropy`` with Adam or RMSprop).
    - encoder model: ``encoder_in -> [h, c]``.
    - decoder model: ``[decoder_in, h, c] -> [probs, h, c]`` for one (or more) decoder steps.
    The inference models must reuse the training model's layers, so that training them trains both.
    """
    raise NotImplementedError(
        "build the encoder, the decoder, the training model and the two inference models"
    )


def decode_sequence(
    input_seq: np.ndarray,
    encoder_model: keras.Model,
    decoder_model: keras.Model,
    num_decoder_tokens: int,
    start_index: int,
    stop_index: int,
    max_len: int,
) -> list[int]:
    """Greedily translate one one-hot source ``input_seq`` of shape ``(1, Tx, ne)``.

    Encode it into ``[h, c]``, then feed the decoder model the start token and, at every step, the
    most likely token of the previous step together with the states it returned. Stop at the stop
    token or after ``max_len`` tokens. Return the generated token indices without the start and stop
    tokens.
    """
    raise NotImplementedError("encode, then loop: decoder step, argmax, feed it back with the new states")
