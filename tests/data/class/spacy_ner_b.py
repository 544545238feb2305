from collections import defaultdict
from functools import lru_cache

from graders.assets import spacy_pipeline


@lru_cache(maxsize=1)
def _model():
    return spacy_pipeline()


def extract_entities(text: str, nlp=None) -> list:
    doc = (nlp or _model())(text)
    return [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]


def entities_by_label(texts: list, nlp=None) -> dict:
    groups = defaultdict(list)
    docs = list((nlp or _model()).pipe(texts))
    for d in docs:
        for e in d.ents:
            groups[e.label_].append(e.text)
    return dict(groups)
