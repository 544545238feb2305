"""Named entity recognition (practical 4)."""

import spacy

_store = {}


def _span_tuple(ent):
    begin, finish = ent.start_char, ent.end_char
    return (ent.text, ent.label_, begin, finish)


def _get_nlp(model):
    # keep the model around so we only load it once
    if model is not None:
        return model
    if "nlp" not in _store:
        from graders.assets import spacy_pipeline

        _store["nlp"] = spacy_pipeline()
    return _store["nlp"]


def extract_entities(text, nlp=None):
    model = _get_nlp(nlp)
    ents = [ent for ent in model(text).ents if ent.end_char > ent.start_char]
    return list(map(_span_tuple, ents))


def entities_by_label(texts, nlp=None):
    model = _get_nlp(nlp)
    result = {}
    for document in model.pipe(list(texts), batch_size=32):
        for ent in document.ents:
            lst = result.setdefault(ent.label_, [])
            lst.append(ent.text)
    return result
