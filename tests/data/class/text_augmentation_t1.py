import random
import re

from nltk.corpus import wordnet
from spacy.lang.en.stop_words import STOP_WORDS

from graders.assets import ensure_wordnet

ensure_wordnet()


def candidates_for(word):
    names = []
    for syn in wordnet.synsets(word):
        for lem in syn.lemmas():
            name = lem.name()
            if "_" in name:
                continue
            if name.lower() == word.lower() or name in names:
                continue
            names.append(name)
    return names


def synonym_replace(text, n=1, seed=None):
    generator = random.Random(seed)
    spots = []
    for m in re.finditer(r"[A-Za-z']+", text):
        w = m.group(0)
        if not w.isalpha() or w.lower() in STOP_WORDS:
            continue
        options = candidates_for(w)
        if options:
            spots.append((m.start(), m.end(), options))
    if n <= 0 or not spots:
        return text
    picked = generator.sample(spots, min(n, len(spots)))
    picked.sort(key=lambda spot: spot[0])
    out = text
    for start, end, options in reversed(picked):
        new = generator.choice(options)
        if text[start].isupper():
            new = new[:1].upper() + new[1:]
        out = out[:start] + new + out[end:]
    return out


def augment_dataset(texts, labels, n_aug=1, seed=None):
    generator = random.Random(seed)
    all_texts = list(texts)
    all_labels = list(labels)
    for i in range(len(texts)):
        for _ in range(n_aug):
            all_texts.append(synonym_replace(texts[i], 1, generator.randint(0, 10**9)))
            all_labels.append(labels[i])
    return all_texts, all_labels
