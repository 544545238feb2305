"""The eight practicals: task descriptions, templates, reference solutions and reference checks.

Each practical lives in ``practicals/<id>/`` with ``task.md``, ``template.py``, ``solution.py``,
``probes.py`` (code that exercises a submission, run next to the student's code) and
``checks.py`` (pytest checks whose verdicts are decided on the probes' JSON observations).
"""

from __future__ import annotations

from pathlib import Path

PRACTICALS_DIR = Path(__file__).resolve().parent

# Ordered as in the module's assignment; the id is the student's file name (<id>.py / <id>.ipynb).
PRACTICALS: dict[str, str] = {
    "lstm_classifier": "Text classification with an LSTM (Keras)",
    "rnn_textgen": "Character-level text generation with an RNN",
    "cnn_sentiment": "Sentiment analysis with a 1-D CNN",
    "spacy_ner": "Named entity recognition with spaCy",
    "seq2seq_translation": "Encoder-decoder LSTM (Keras)",
    "gpt2_generation": "Text generation with a pre-trained GPT-2",
    "text_augmentation": "Synonym replacement with WordNet (NLTK)",
    "attention_seq2seq": "A seq2seq model with an attention layer (Keras)",
}


def practical_dir(practical_id: str) -> Path:
    if practical_id not in PRACTICALS:
        from graders.errors import InputError
        from graders.suggest import did_you_mean

        raise InputError(
            f"unknown practical {practical_id!r}{did_you_mean(practical_id, PRACTICALS)}",
            hint=f"use one of: {', '.join(PRACTICALS)}",
        )
    return PRACTICALS_DIR / practical_id
