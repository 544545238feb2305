"""Practical 4 -- named entities. Student C."""

import spacy

_cache = {}


def _load(nlp):
    # reuse the pipeline between calls, loading it is slow
    if nlp is not None:
        return nlp
    if "nlp" not in _cache:
        from graders.assets import spacy_pipeline

        _cache["nlp"] = spacy_pipeline()
    return _cache["nlp"]


def _as_tuple(span):
    start, end = span.start_char, span.end_char
    return (span.text, span.label_, start, end)


def extract_entities(text, nlp=None):
    pipeline = _load(nlp)
    spans = [span for span in pipeline(text).ents if span.end_char > span.start_char]
    return list(map(_as_tuple, spans))


def entities_by_label(texts, nlp=None):
    pipeline = _load(nlp)
    labels = {}
    for doc in pipeline.pipe(list(texts), batch_size=32):
        for span in doc.ents:
            bucket = labels.setdefault(span.label_, [])
            bucket.append(span.text)
    return labels
