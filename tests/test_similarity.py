"""Code similarity: winnowing over normalised tokens, template and common code excluded."""

from __future__ import annotations

from pathlib import Path

from graders.similarity import code_pairs, excerpt, normalised_tokens
from practicals import PRACTICALS_DIR

CLASS = Path(__file__).resolve().parent / "data" / "class"
TEMPLATE = (PRACTICALS_DIR / "spacy_ner" / "template.py").read_text()


def sources() -> dict[str, str]:
    found = {name: (CLASS / f"spacy_ner_{name}.py").read_text() for name in ("a", "b", "c", "c_copy")}
    found["reference"] = (PRACTICALS_DIR / "spacy_ner" / "solution.py").read_text()
    found["blank1"] = found["blank2"] = TEMPLATE
    found["broken"] = TEMPLATE.replace("def extract_entities(", "def extract_entities((", 1)
    return found


def test_planted_copy_is_the_only_pair() -> None:
    pairs = code_pairs(sources(), template=TEMPLATE)
    assert [(p.student_a, p.student_b) for p in pairs] == [("c", "c_copy")]
    pair = pairs[0]
    assert pair.score > 0.8
    shown = excerpt(sources()["c_copy"], pair.lines_b)
    assert "_get_nlp" in shown and "model.pipe" in shown


def test_without_template_exclusion_blank_submissions_match() -> None:
    pairs = {(p.student_a, p.student_b) for p in code_pairs(sources())}
    assert ("blank1", "blank2") in pairs


def test_renaming_and_comments_do_not_hide_a_copy() -> None:
    original = (
        "def f(items):\n    total = 0\n    for x in items:\n        total += x * x\n    return total\n" * 3
    )
    disguised = original.replace("total", "acc").replace("items", "values").replace("x", "v")
    disguised = "# my own work\n" + disguised.replace("return", "# done\n    return")
    assert [t for t, _ in normalised_tokens(original)] == [t for t, _ in normalised_tokens(disguised)]
    assert code_pairs({"a": original, "b": disguised})


def test_attribute_names_and_keywords_are_kept() -> None:
    tokens = [
        t for t, _ in normalised_tokens("doc = nlp(text)\nfor ent in doc.ents: print(ent.label_, 3, 'x')")
    ]
    assert tokens[:4] == ["V", "=", "V", "("]
    assert "ents" in tokens and "label_" in tokens and "for" in tokens and "print" in tokens
    assert "N" in tokens and "S" in tokens


def test_unparsable_code_does_not_raise() -> None:
    assert code_pairs({"a": "def (:\n  '''", "b": "x = ("}) == []
