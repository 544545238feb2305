"""My NER practical."""

import spacy

from graders.assets import spacy_pipeline

NLP = None


def get_pipeline():
    global NLP
    if NLP is None:
        NLP = spacy_pipeline()
    return NLP


def extract_entities(text, nlp=None):
    if nlp is None:
        nlp = get_pipeline()
    if not text:
        return []
    result = []
    document = nlp(text)
    for entity in document.ents:
        result.append((entity.text, entity.label_, entity.start_char, entity.end_char))
    return result


def entities_by_label(texts, nlp=None):
    pipeline = nlp if nlp is not None else get_pipeline()
    out = {}
    for document in pipeline.pipe(texts):
        for entity in document.ents:
            if entity.label_ not in out:
                out[entity.label_] = []
            out[entity.label_].append(entity.text)
    return out
