"""Practical 8: a sequence-to-sequence model with an attention layer (Keras 3).

Implement the two functions below. Keep their names and parameters: the checks call them.
Inputs are one-hot (float), as in the seed notebook: encoder (b, Tx, ne), decoder (b, Ty, nd).
"""

from __future__ import annotations

import keras
import numpy as np


def build_attention_seq2seq(
    num_encoder_tokens: int, num_decoder_tokens: int, latent_dim: int = 256
) -> keras.Model:
    """Return the compiled training model ``[encoder_in, decoder_in] -> (b, Ty, num_decoder_tokens)`` softmax.

    The encoder must return its output at *every* step (``return_sequences=True``) so that each decoder
    step can attend over all encoder steps; its final states start the decoder. Combine each decoder
    output with its attention context (e.g. ``Concatenate`` then ``Dense``) before the softmax layer.
    """
    raise NotImplementedError(
        "build encoder, decoder and attention layer, combine decoder output and context"
    )


def attention_scores(model: keras.Model, encoder_input: np.ndarray, decoder_input: np.ndarray) -> np.ndarray:
    """Return the attention weights ``(b, Ty, Tx)`` the model uses for these inputs (averaged over heads
    for multi-head attention): non-negative, each decoder step's weights summing to 1."""
    raise NotImplementedError("read the scores of your attention layer (return_attention_scores=True)")
