"""Linguistic analysis of answers and references with spaCy: sentences, clauses, content lemmas,
negation and polarity terms, and the cheap detectors that need no embeddings.

Everything here is a pure function of a parsed ``Doc``; the grader parses many answers at once with
``nlp.pipe`` and hands each ``Doc`` to :func:`analyse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nltk.stem import PorterStemmer
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from thinc.api import Model, NumpyOps

from graders.rule_index import index_attribute_rules

_STEMMER = PorterStemmer()
# "hardly", "barely" and "scarcely" deny like "not": "self-attention hardly lets it weigh the parts"
NEGATIONS = frozenset(
    "not no never without nothing none neither nor cannot n't hardly barely scarcely".split()
)
# Stop words that carry meaning in a grading context stay content words: "not parallel" != "parallel".
_KEEP = frozenset(
    {"not", "no", "never", "without", "all", "both", "only", "same", "first", "next", "last", "one"}
)
STOP = frozenset(STOP_WORDS) - _KEEP
# Numbers in words, spelled as digits ("six" and "6" are one word); not "one", mostly a pronoun ("each one").
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
    if word != "_"
} | {
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
}
LIST_ITEM_WORDS = 4  # at most this many words in each term of a list

# Contrast sets: a student sentence that says one side where the matched rubric point says the other
# reverses the point. Phrases are matched on lower-cased text at word boundaries; "*" stands for one word.
CONTRASTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "parallel",
            "parallelize",
            "parallelise",
            "parallelization",
            "simultaneous",
            "at once",
            "same time",
            "single step",
            "in one step",
            "in one go",
        ),
        (
            "sequential",
            "sequentially",
            "one by one",
            "one after another",
            "one * after another",
            "one at a time",
            "one * at a time",
            "step by step",
            "word by word",
            "token by token",
            "next word",
            "next token",
        ),
    ),
    (
        ("bidirectional", "bi-directional", "both directions", "both sides", "left and right", "both left"),
        ("unidirectional", "uni-directional", "one direction", "left to right", "left-to-right", "only left"),
    ),
    (
        ("same sequence", "same input", "same sentence", "itself", "within one sequence", "single sequence"),
        (
            "different sequence",
            "different * sequence",
            "other sequence",
            "second sequence",
            "separate",
            "another",
        ),
    ),
    (
        ("long-range", "long range", "distant", "far apart"),
        ("short-range", "short range", "nearby", "adjacent"),
    ),
    (("faster", "speed up", "speeds up", "quicker"), ("slower", "slow down", "slows down")),
    (
        # "better" only with what it compares: "GPT-2 is better at generating" does not deny "BERT is
        # better at understanding"
        ("better than", "more effective", "more effectively", "more efficient", "more efficiently"),
        ("worse", "less effective", "less effectively", "less efficient", "less efficiently"),
    ),
    (("labeled", "labelled", "supervised"), ("unlabeled", "unlabelled", "unsupervised", "raw text")),
    (("small dataset", "smaller dataset", "task-specific"), ("huge dataset", "from scratch", "random init")),
    (
        ("previous", "preceding", "earlier", "already generated"),
        ("future", "following words", "whole sentence"),
    ),
    (("order", "position"), ("orderless", "position-agnostic")),
    # a sequence model's output against its input
    (
        ("same length", "equal length", "same number of tokens", "same size as the input"),
        ("different length", "any length", "variable length", "variable-length", "arbitrary length"),
    ),
    (
        # a word's vector: one per context, or one per word
        (
            "contextual",
            "contextualized",
            "contextualised",
            "depend on the surrounding",
            "depends on the context",
        ),
        ("static", "fixed vector", "fixed embedding", "same vector", "same embedding", "lookup table"),
    ),
    # pre-trained weights in transfer learning: trained further, or kept as they are
    (
        ("update", "updates", "updated", "updating", "adjust", "adjusts", "adjusted", "adjusting"),
        ("frozen", "freeze", "freezes", "freezing", "unchanged"),
    ),
    # opposite extremes and directions, in any subject (not comparatives: "Transformers scale to bigger
    # data" compares two entities, which the sides do not model)
    (("longest",), ("shortest",)),
    (("largest", "biggest"), ("smallest",)),
    (("highest",), ("lowest",)),
    (("maximum",), ("minimum",)),
    (("increase", "increases", "increased", "increasing"), ("decrease", "decreases", "decreased")),
    (("attract", "attracts", "attracted", "attraction"), ("repel", "repels", "repelled", "repulsion")),
)
# The things answers in this field make claims about, by the words that name them. A claim's entity is
# the subject of its clause ("GPT-2 is unidirectional"); a subject pronoun ("it reads the input") takes
# the last entity named before it. Swapping the two entities of a pair reverses a claim.
ENTITIES = {
    "encoder": "encoder",
    "encoders": "encoder",
    "decoder": "decoder",
    "decoders": "decoder",
    "input": "input",
    "inputs": "input",
    "output": "output",
    "outputs": "output",
    "bert": "bert",
    "gpt": "gpt",
    "gpt-2": "gpt",
    "gpt2": "gpt",
    "transformer": "transformer",
    "transformers": "transformer",
    "rnn": "rnn",
    "rnns": "rnn",
    "lstm": "rnn",
    "lstms": "rnn",
    "gru": "rnn",
    "grus": "rnn",
    "self": "self-attention",  # spaCy splits "self-attention" at the hyphen
    "intra": "self-attention",
    "traditional": "traditional attention",
}
ENTITY_SWAPS = {
    "encoder": "decoder",
    "decoder": "encoder",
    "input": "output",
    "output": "input",
    "bert": "gpt",
    "gpt": "bert",
    "transformer": "rnn",
    "rnn": "transformer",
    "self-attention": "traditional attention",
    "traditional attention": "self-attention",
}
UNKNOWN_ENTITY = "?"  # one of several named entities, which one the parse cannot tell: matches none
_PRONOUNS = frozenset({"it", "they", "this", "which", "that"})
_RELATIVE = frozenset({"which", "that", "who"})
# "the output layer" speaks of a layer, not of the output; "the encoder's encoding" of an encoding
_MODIFIERS = ("compound", "amod", "nmod", "poss")
_BESIDE_SUBJECT = ("nsubj", "nsubjpass", "appos", "conj")
# Verbs that deny the clause they govern: "keeps/prevents/stops the model from focusing", "fails to see",
# "is unable to see", "makes it harder to capture"; adverbs that deny the word they grade: "captures them
# less effectively".
_PREVENT = frozenset({"keep", "prevent", "stop", "prohibit", "block", "hinder", "bar", "preclude"})
_FAIL = frozenset({"fail", "unable", "incapable", "hard", "harder", "difficult", "impossible"})
# What introduces the phrase a claim is set against: "unlike X", "than X", "as opposed to X", "compared
# with X" (by the parse); "instead of X", "rather than X" (to the next punctuation mark).
_FOILS = frozenset({"unlike", "than", "opposed", "compared"})
_SUBSTITUTES = ("instead of", "rather than")
_SUBSTITUTE_ENDS = frozenset(phrase.split()[-1] for phrase in _SUBSTITUTES)
_CAUSATIVE = frozenset({"let", "make", "allow", "enable", "help", "cause", "force"})
_DIMINISHERS = frozenset({"less"})
_REGARDLESS = frozenset({"independent", "independently", "regardless", "irrespective", "irrespectively"})
# What a clause says of the claim it governs to deny it: "it is wrong to say that X", "it is a myth that
# X", "a common misconception is that X".
_DENYING = frozenset(
    {"wrong", "false", "untrue", "incorrect", "inaccurate", "myth", "misconception", "mistake", "fallacy"}
)
_NOT_ONLY = frozenset({"only", "just", "merely", "simply"})
# Phrases that deny the contrast side after them, like a negation: "one step at a time instead of in
# parallel".
_DENIALS = re.compile(r"\b(instead of|rather than)\b")

_IDK = re.compile(
    r"^\W*(i\s*(do\s*n[o']?t|dont|don't)\s*know|idk|no\s*idea|not\s*sure|dunno|pass|skip|n/?a|none|nothing|"
    r"\?+|-+|no\s*clue|i\s*have\s*no\s*idea|i\s*forgot|unsure|i\s*am\s*not\s*sure)\W*$",
    re.I,
)
_GRADER = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(rubric|instructions?|previous|above|grading|prompt|rules)\b"
    r"|\b(give|award|grant|assign)\b.{0,25}\b(full|maximum|max|all|100|perfect|top)\b.{0,15}\b(marks?|points?|score|credit|grade)"
    r"|\b(full|maximum|perfect)\s+(marks?|points?|score|credit)\b"
    r"|\b(dear|attention|note\s+to(\s+the)?)\s+(grader|marker|examiner|teacher|ai|model)\b"
    r"|\b(grader|marker|examiner|grading\s+(ai|model|system))\b"
    r"|\bmark\s+(this|it|me)\s+(as\s+)?(correct|right)\b"
    r"|\bas an ai\b|\bsystem prompt\b|\byou (must|should|will) (give|grade|mark|score)\b",
    re.I,
)


# Complexity classes, each written one way ("O(log n)", "log2(n)", "logarithmic time" -> "O(log n)"): one
# content word that the question's "n" does not demote, and a value that another class contradicts.
COMPLEXITY = "complexity"  # the "noun" a class counts (``Sentence.quantities``)
_BIG_O = r"\b[oθω]\s*\((?:[^()]|\([^()]*\))+\)"  # O(...), Θ(...), Ω(...), one level of nesting
_BARE = (
    r"\bn\s*\*?\s*(?:log|lg)\s*\(?\s*n\b\s*\)?"  # n log n
    r"|\b(?:log|lg)(?:\s*_?\s*\{?2\}?|\s+base\s+2(?:\s+of)?)?\s*\(?\s*n\b\s*\)?"  # log n, log2(n), lg n
    r"|\bn\s*(?:\^\s*[23]\b|[²³]|\s+(?:squared|cubed)\b)|\b2\s*\^\s*n\b"  # n^2, n squared, 2^n
)
# "logarithmic", "quadratically" always; "constant", "linear" and "exponential" only as a running time
# ("linear time", "linear for a list", "it is linear."), not "a linear layer" or "exponential decay"
_WORDS = (
    r"\b(?:logarithmic|linearithmic|quadratic|cubic)(?:ally)?\b|\b(?:linear|exponential)ly\b"
    r"|\b(?:constant|linear|exponential)(?=\s+(?:time|complexity|runtime|running|order|cost|work)\b"
    r"|\s*(?:[,.;:!?)]|$)|\s+(?:for|in|because|since|if|when|but|and|as)\b)"
)
_COMPLEXITY_RE = re.compile(f"{_BIG_O}|{_BARE}|{_WORDS}", re.I)
_COMPLEXITY_WORDS = {
    "constant": "1",
    "logarithm": "logn",
    "linearithm": "nlogn",  # before "linear", its prefix
    "linear": "n",
    "quadrat": "n^2",
    "cubic": "n^3",
    "exponenti": "2^n",
}


def complexity_classes(text: str) -> list[tuple[int, int, str]]:
    """Each complexity class ``text`` names, as (start, end, class): "binary search is O(lg n), linear
    search linear" -> [(17, 24, "O(log n)"), (40, 46, "O(n)")]."""
    return [(m.start(), m.end(), _complexity_class(m.group())) for m in _COMPLEXITY_RE.finditer(text)]


def _complexity_class(written: str) -> str:
    """The class a match of ``_COMPLEXITY_RE`` names, written one way ("lg(n)" -> "O(log n)")."""
    text = written.lower()
    word = next((c for w, c in _COMPLEXITY_WORDS.items() if text.startswith(w)), None)
    if word is None:
        inner = text[text.index("(") + 1 : -1] if re.match(r"[oθω]\s*\(", text) else text
        inner = re.sub(r"\s+|\*(?!\*)", "", inner).replace("**", "^").replace("²", "^2").replace("³", "^3")
        inner = inner.replace("squared", "^2").replace("cubed", "^3")
        inner = re.sub(r"(?:log|lg|ln)(?:_?\{?2\}?|base2(?:of)?)?\(?([a-z])\)?", r"log\1", inner)
        word = {"nn": "n^2", "nnn": "n^3"}.get(inner, inner)
    return f"O({word.replace('log', 'log ').replace('nlog', 'n log')})"


# Acronyms of computing, read as the words they stand for: "LIFO" says what "last in, first out" says. Not
# those whose words are common ones ("NLP": natural language processing), which a question that names the
# acronym would demote in every answer ("process").
ACRONYMS = {
    "lifo": "last in first out",
    "fifo": "first in first out",
    "bst": "binary search tree",
    "bfs": "breadth first search",
    "dfs": "depth first search",
    "adt": "abstract data type",
    "dag": "directed acyclic graph",
    "ner": "named entity recognition",
    "mlm": "masked language model",
    "nsp": "next sentence prediction",
    "cnn": "convolutional neural network",
}


def stem(word: str) -> str:
    return _stem(word.lower())


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _STEMMER.stem(word)


ENTITY_STEMS = frozenset(stem(word) for word in ENTITIES)
# each acronym, and its plural ("BSTs"), to the stems of its words
_ACRONYM_STEMS = {
    written: frozenset(stem(word) for word in phrase.split() if word not in STOP)
    for acronym, phrase in ACRONYMS.items()
    for written in (acronym, acronym + "s")
}


def _phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(p).replace(r"\*", r"\w+") for p in phrases) + r")\b")


_CONTRAST_RES = tuple((_phrase_regex(a), _phrase_regex(b)) for a, b in CONTRASTS)


@dataclass(frozen=True)
class Clause:
    """The tokens governed by one verb: the unit at which negation is decided."""

    stems: frozenset[str]
    negated: bool  # the verb is negated ("does not use")
    negated_terms: frozenset[str] = frozenset()  # words negated on their own ("higher, not lower")
    subject: str | None = None  # what the clause speaks of: an entity or a noun's stem (not a pronoun)


@dataclass(frozen=True)
class Frame:
    """What one clause says about a named entity: "the decoder reads the input" -> decoder, {read, input}."""

    entity: str
    stems: frozenset[str]
    compared: frozenset[str] = frozenset()  # entities it is compared with: "... more efficiently than RNNs"
    negated: bool = False  # "RNNs cannot process it in parallel"
    predicates: frozenset[str] = frozenset()  # stems of its verbs and adjectives: what it says, not of what


@dataclass(frozen=True)
class Sentence:
    text: str
    stems: frozenset[str]  # content-word stems
    clauses: tuple[Clause, ...]
    sides: frozenset[tuple[int, str | None]]  # (+k / -k side of contrast set k, entity it is said of)
    frames: tuple[Frame, ...]
    claimed: frozenset[str]  # content-word stems outside the phrases it sets its claim against
    # (value, stem of the noun it counts or None): "12 layers" -> ("12", "layer"), "6" -> ("6", None)
    quantities: frozenset[tuple[str, str | None]] = frozenset()
    # the text without the phrases it sets its claim against ("unlike RNNs, which ..."); None: it has none
    claim: str | None = None
    # the claim without what it denies ("X does not read the input; it takes the encoder's output" -> "; it
    # takes the encoder's output"); None: it denies nothing, or nothing else
    affirmed: str | None = None


@dataclass(frozen=True)
class Analysis:
    text: str
    sentences: tuple[Sentence, ...]
    stems: frozenset[str]
    n_words: int
    n_verbs: int
    n_items: int  # comma/semicolon/newline-separated chunks
    max_item_words: int
    has_structure: bool  # "X: a, b", arrows, "X instead of Y": a terse structured answer, not a keyword list
    topic: str | None = None  # the one entity it names as a topic ("What is BERT?"); None for 0 or 2+
    n_comparisons: int = 0  # comparative words ("faster", "better", "more"): each states a claim


def _content_stem(t: Token) -> str | None:
    """The stem of a content word (its lemma's; a number's value), None for stop words, punctuation and
    spaces."""
    if (value := _number(t)) is not None:
        return value
    if t.is_punct or t.is_space or t.lower_ in STOP or not any(c.isalnum() for c in t.text):
        return None
    return stem(t.lemma_ if t.lemma_ and t.lemma_ != "-PRON-" else t.text)


def in_digits(word: str) -> str:
    """A lower-case number word in digits ("six" -> "6"); any other word as it is."""
    return _NUMBER_WORDS.get(word, word)


def _number(token: Token) -> str | None:
    """The value of a number ("6", "6.0", "3,000", "six") in one spelling, None for other words."""
    if not token.like_num:
        return None
    text = in_digits(token.lower_.replace(",", ""))
    try:
        return f"{float(text):g}"
    except ValueError:  # "one", "dozens"
        return None


def _quantities(sent: Span, parsed: _Parsed) -> frozenset[tuple[str, str | None]]:
    """Each number of ``sent`` with the stem of the noun it counts ("12 layers", "1.5 billion parameters",
    "40 GB"), or None (a bare "6", a year); each complexity class it names, counting ``COMPLEXITY`` (the
    "1" of "O(1)" is no number)."""
    found = {(name, COMPLEXITY) for i, name in parsed.complexity.items() if sent.start <= i < sent.end}
    for t in sent:
        if t.i in parsed.in_complexity or (value := _number(t)) is None:
            continue
        counted = t
        while (
            counted.dep_ in ("compound", "quantmod") and counted.head.like_num and counted.head.i != counted.i
        ):
            counted = counted.head
        noun = counted.head if counted.dep_ == "nummod" and counted.head.pos_ in ("NOUN", "PROPN") else None
        found.add((value, stem(noun.lemma_) if noun is not None else None))
    return frozenset(found)


def _find_clause_head(token: Token) -> Token:
    node = token
    while node.pos_ not in ("VERB", "AUX") or node.dep_ in ("aux", "auxpass"):
        if node.head.i == node.i:
            return node
        node = node.head
    return node


class _Parsed:
    """Per-token facts of one parsed text, worked out once: the analysis asks for each several times."""

    def __init__(self, doc: Doc) -> None:
        self._stems = [_content_stem(t) for t in doc]
        self._heads = [_find_clause_head(t) for t in doc]
        # a complexity class is one word, on its first token; its other tokens ("log", "n") are none
        self.complexity: dict[int, str] = {}  # first token -> class
        self.in_complexity: set[int] = set()
        for start, end, name in complexity_classes(doc.text):
            covered = [t.i for t in doc if t.idx < end and t.idx + len(t) > start]
            self.complexity[covered[0]] = name
            self.in_complexity.update(covered)
            for i in covered:
                self._stems[i] = name if i == covered[0] else None
        # an acronym is the words it stands for
        self._acronyms = {t.i: _ACRONYM_STEMS[t.lower_] for t in doc if t.lower_ in _ACRONYM_STEMS}
        for i in self._acronyms:
            self._stems[i] = None

    def stems(self, tokens: Span | Doc | list[Token]) -> frozenset[str]:
        """The content-word stems of ``tokens``."""
        found = frozenset(s for t in tokens if (s := self._stems[t.i]) is not None)
        if self._acronyms:
            return found.union(*(self._acronyms.get(t.i, ()) for t in tokens))
        return found

    def clause_head(self, token: Token) -> Token:
        """The verb whose clause ``token`` belongs to (the root when none governs it)."""
        return self._heads[token.i]


def _is_negation(token: Token) -> bool:
    if token.lower_ == "not" and token.i + 1 < len(token.doc) and token.nbor().lower_ in _NOT_ONLY:
        return False  # "not only X but also Y" affirms X
    # "with 0 marbles" says "with no marbles" (not "zero mean", "zero-shot")
    zero = (
        token.dep_ == "nummod"
        and token.lower_ in ("0", "zero")
        and token.head.tag_ in ("NNS", "NNPS")
        and not (token.i + 1 < len(token.doc) and token.nbor().text == "-")
    )
    return token.dep_ == "neg" or token.lower_ in NEGATIONS or zero


def _denies_clause(token: Token) -> bool:
    """A negation of its clause, not of a noun: "without recurrence, they compute all positions in
    parallel" still computes them in parallel."""
    noun = token.lower_ == "without" and any(c.dep_ == "pobj" for c in token.children)
    return _is_negation(token) and not noun


def _negates_complement(head: Token, child: Token) -> bool:
    """Whether ``head`` denies the clause ``child`` that it governs by its meaning: "fails to capture",
    "is unable to see", "makes it harder to capture", "keeps the model from focusing", "without using"."""
    if child.dep_ == "pcomp" and child.head.lower_ == "without":
        return True
    if child.dep_ == "pcomp" and child.head.lower_ == "from":
        return child.head.head.lemma_ in _PREVENT
    # the infinitive may hang on the adjective: "makes it harder to capture", "finds it hard to see"
    infinitive = child.dep_ == "xcomp" or (
        child.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children)
    )
    return infinitive and (head.lemma_ in _FAIL or any(t.lower_ in _FAIL for t in head.children))


def _clauses(sent: Span, parsed: _Parsed) -> tuple[tuple[Clause, ...], set[int]]:
    """The sentence's clauses, and the tokens it denies: its negated clauses with the clauses they govern
    ("is not the part that reads the input"), and the phrases negated on their own ("with no recurrence",
    "without any recurrence")."""
    groups: dict[int, list[Token]] = {}
    phrases: set[int] = set()
    negated: set[int] = set()
    local: dict[int, set[str]] = {}
    subjects: dict[int, str] = {}
    heads: dict[int, Token] = {}
    for tok in sent:
        head = parsed.clause_head(tok)
        heads[head.i] = head
        groups.setdefault(head.i, []).append(tok)
        # the subject of a main clause (a complement's subject, "lets a model attend", is not its topic)
        if (
            tok.dep_ in ("nsubj", "nsubjpass")
            and tok.pos_ in ("NOUN", "PROPN")
            and head.dep_ in ("ROOT", "conj")
        ):
            subjects[head.i] = (
                ENTITIES.get(tok.lower_) or _compound_entity(tok) or stem(tok.lemma_ or tok.text)
            )
        if (
            tok.lower_ in _DIMINISHERS
            and tok.dep_ == "advmod"
            and tok.head.i != head.i
            and tok.head.pos_ in ("ADJ", "ADV")  # not "the less it swings"
        ):
            # "less effectively" denies the word it grades, like "not effectively"
            local.setdefault(head.i, set()).add(stem(tok.head.lemma_ or tok.head.text))
        if tok.lower_ in _REGARDLESS:  # "independent of how it is implemented" denies that it matters
            of = [c for c in tok.children if c.lower_ == "of"]
            for phrase in of:
                local.setdefault(head.i, set()).update(parsed.stems(list(phrase.subtree)))
                phrases.update(t.i for t in phrase.subtree)
        if not _is_negation(tok):
            continue
        if tok.lower_ == "without":  # denies what it governs, not its clause: "generates it without using X"
            # the thing it denies ("without any recurrence") and the entities in its phrase ("without
            # information from the encoder", "without using the encoder"), not every word of a gerund's
            # phrase ("without seeing future tokens" keeps the tokens)
            denied = [c for c in tok.children if c.dep_ == "pobj"]
            denied += [
                t
                for c in tok.children
                if c.dep_ in ("pobj", "pcomp")
                for t in c.subtree
                if t.lower_ in ENTITIES and t.i != c.i
            ]
            for word in denied:
                local.setdefault(head.i, set()).add(stem(word.lemma_ or word.text))
            phrases.update(t.i for t in tok.subtree)
        elif (
            tok.lower_ == "not"
            and sent.start < tok.i < sent.end - 1
            and sent.doc[tok.i - 1].is_punct
            and sent.doc[tok.i + 1].tag_ == "IN"
        ):
            # ", not by how it is implemented" denies the phrase it introduces, not its clause
            phrase = list(sent.doc[tok.i + 1].subtree)
            local.setdefault(head.i, set()).update(parsed.stems(phrase))
            phrases.update([tok.i, *(t.i for t in phrase)])
        elif (
            # on the clause's head: a verb's, or a verbless clause's when it is "not" ("not efficient";
            # "no" there, often misparsed, denies only its noun: "...; no recurrence -> efficient")
            (tok.head.i == head.i and tok.dep_ == "neg")
            or tok.head.pos_ in ("VERB", "AUX")
            or tok.head.dep_ in ("nsubj", "nsubjpass")
            # "has no idea of / no information about the order" says "does not know the order"
            or (tok.head.dep_ == "dobj" and tok.head.head.lemma_ == "have")
        ):
            negated.add(head.i)  # "does not take", "no layer takes", "neither part is focused on"
        else:  # "not" / "no" on a word of its own: "higher, not lower", "no recurrence"
            local.setdefault(head.i, set()).add(stem(tok.head.lemma_ or tok.head.text))
            if tok.head.pos_ in ("NOUN", "PROPN"):  # "with no left-to-right restriction"
                phrases.update(t.i for t in tok.head.subtree)
            else:
                phrases.update((tok.i, tok.head.i))
    for i, head in heads.items():
        children = list(head.children)
        deps = {c.dep_ for c in children}
        if (
            # "it is wrong to say that X" denies X ("it is not wrong to say that X" does not)
            deps & {"ccomp", "xcomp"}
            and any(c.dep_ in ("attr", "acomp", "nsubj") and c.lemma_.lower() in _DENYING for c in children)
        ) or (
            # "it is a myth that X"
            head.dep_ == "acl" and head.head.lemma_.lower() in _DENYING and "mark" in deps
        ):
            negated ^= {i}
    # A denial reaches the clauses it governs: complements ("does not let it attend"), gerunds after a
    # preposition ("not focused on understanding"; not "does not depend on how far apart they are"), and
    # verbs coordinated under the same auxiliary ("does not refine X or capture Y": the bare form "capture").
    for i in sorted(heads, key=lambda i: len(list(heads[i].ancestors))):
        clause = heads[i]
        parent = parsed.clause_head(clause.head) if clause.head.i != clause.i else None
        if parent is None or parent.i not in heads:
            continue
        if _negates_complement(parent, clause):
            negated ^= {i}  # "keeps it from not forgetting" affirms
        elif (
            parent.i in negated
            and clause.i > parent.i
            and (
                clause.dep_ in ("xcomp", "ccomp")
                or (clause.dep_ == "conj" and clause.tag_ == "VB")
                or (clause.dep_ == "pcomp" and clause.tag_ == "VBG")  # "is not focused on understanding"
            )
        ):
            negated.add(i)
    clauses = tuple(
        Clause(parsed.stems(toks), i in negated, frozenset(local.get(i, ())), subjects.get(i))
        for i, toks in groups.items()
    )
    # A clause a denied one governs is denied with it ("is not the part that reads the input"), unless a
    # colon or semicolon sets it apart: "does not treat them equally: for each step it weighs them".
    denied = set(negated)
    for i in sorted(heads, key=lambda i: len(list(heads[i].ancestors))):
        clause = heads[i]
        parent = parsed.clause_head(clause.head) if clause.head.i != clause.i else None
        if (
            parent is not None
            and parent.i in denied
            and clause.dep_ not in ("conj", "parataxis")
            and not any(t.text in (":", ";") for t in sent.doc[parent.i : clause.left_edge.i])
        ):
            denied.add(i)
    return clauses, phrases | {t.i for i in denied for t in groups[i]}


class _Entities:
    """Which entity each clause of a text speaks about; remembers the last one for later pronouns."""

    def __init__(self, topic: str | None = None) -> None:
        self.last = topic
        self.named: set[str] = set()  # the entities the text itself named as topics of its clauses

    def _took(self, entity: str) -> None:
        self.last = entity
        self.named.add(entity)

    def of_sentence(self, sent: Span) -> dict[int, str]:
        """Clause head index -> entity, for the clauses of ``sent`` whose subject names one."""
        subject: dict[int, str | None] = {}
        for tok in sent:  # in text order, so a pronoun takes the entity named just before it
            named = ENTITIES.get(tok.lower_)
            if tok.dep_ not in ("nsubj", "nsubjpass"):
                # "you'd use GPT-2, because it reads left to right"; an entity inside a prepositional
                # phrase ("better than in RNNs", "parts of the input"), a modifier ("RNN-based models") or a
                # relative clause ("the half that writes the output") does not become the topic.
                first = tok
                # "than RNNs and LSTMs", "than recurrent neural networks (RNNs)"
                while first.dep_ in ("conj", "appos"):
                    first = first.head
                if (
                    named is not None
                    and first.dep_ not in (*_MODIFIERS, "pobj")
                    and tok.head.dep_ != "amod"
                    and first.head.dep_ not in ("relcl", "acl")
                ):
                    self._took(named)
                continue
            if tok.lower_ in _RELATIVE and tok.head.dep_ == "relcl":  # "RNNs, which suffer from ..."
                noun = tok.head.head
                if _antecedent(noun, tok.head):
                    subject[tok.head.i] = ENTITIES.get(noun.lower_) or _compound_entity(noun)
                continue
            if _free_relative(tok.head):
                # "takes what the encoder has produced": a thing the sentence speaks of, not a claim of it
                subject[tok.head.i] = None
                continue
            entity = named or _compound_entity(tok)
            if entity is None and tok.lower_ in _PRONOUNS and tok.dep_ == "nsubj":
                entity = self.last
            if entity is not None and tok.head.dep_ not in ("relcl", "acl"):
                self._took(entity)  # not the subject of a relative clause: "the vectors the encoder made"
            subject[tok.head.i] = entity
        result: dict[int, str] = {}
        for tok in sent:
            if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("aux", "auxpass"):
                continue
            node = tok
            # Verbs in xcomp/conj/advcl without their own subject inherit the governing verb's subject, and
            # so do complements of a causative verb whose subject names none: "traditional attention lets
            # the parts of one sequence weigh each other" speaks of traditional attention.
            while node.head.i != node.i and (
                (node.i not in subject and node.dep_ in ("xcomp", "conj", "advcl"))
                or (node.dep_ == "ccomp" and subject.get(node.i) is None and node.head.lemma_ in _CAUSATIVE)
            ):
                # "the decoder takes what the encoder produced and turns it into ...": the parse joins
                # "turns" to the free relative's verb, but it is a second act of the sentence's subject
                joined_to_relative = node.dep_ == "conj" and _free_relative(node.head)
                node = node.head.head if joined_to_relative else node.head
            entity = subject.get(node.i)
            if entity is None and tok.dep_ == "relcl" and _antecedent(tok.head, tok):
                entity = ENTITIES.get(tok.head.lower_)
            if entity is not None:
                result[tok.i] = entity
        return result


def _antecedent(noun: Token, verb: Token) -> bool:
    """Whether the relative clause of ``verb`` speaks of ``noun``, the noun the parse hangs it on. Inside a
    prepositional phrase the parse often picks the wrong noun ("a stack of encoders that is trained"
    speaks of the stack), so there an auxiliary that disagrees in number rules the noun out ("faster
    than RNNs, which process ..." keeps it)."""
    if noun.dep_ != "pobj":
        return True
    auxiliaries = {c.tag_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    return "VBZ" not in auxiliaries if noun.tag_ in ("NNS", "NNPS") else "VBP" not in auxiliaries


def _modifies(token: Token) -> bool:
    """An entity's name used as a modifier of another noun ("the output layer"), except the modifiers that
    name attention mechanisms ("self-attention", "traditional attention")."""
    return token.dep_ in _MODIFIERS and token.head.lower_ != "attention"


def _free_relative(verb: Token) -> bool:
    """A clause that names a thing by what is done to it ("what the encoder has produced"): an argument of
    the verb that governs it, not a clause of its own."""
    return verb.dep_ in ("ccomp", "dobj") and any(
        c.lower_ in ("what", "whatever") and c.dep_ in ("dobj", "nsubj", "nsubjpass") for c in verb.children
    )


def _compound_entity(token: Token) -> str | None:
    """ "the BERT model", "the GPT-2 decoder": an entity named by a modifier of the subject (not both
    of a pair, as in "encoder-decoder models")."""
    named = {ENTITIES[t.lower_] for left in token.lefts for t in left.subtree if t.lower_ in ENTITIES}
    return named.pop() if len(named) == 1 else None


def _sides(sent: Span, entity_of: dict[int, str], parsed: _Parsed) -> frozenset[tuple[int, str | None]]:
    text = sent.text.lower()
    # A clause without an entity subject ("so every position is handled at the same time") speaks of
    # the sentence's entity when the sentence names just one, of an unknown one when it names several
    # ("Transformers are faster since all tokens are processed in parallel, while RNNs ...").
    # Relative clauses do not count ("from the vectors the encoder made, it emits ..."), nor names used as
    # modifiers ("adding an output layer").
    named = (
        {e for i, e in entity_of.items() if sent.doc[i].dep_ not in ("relcl", "acl")}
        if entity_of
        else {ENTITIES[t.lower_] for t in sent if t.lower_ in ENTITIES and not _modifies(t)}
    )
    default = named.pop() if len(named) == 1 else UNKNOWN_ENTITY if named else None
    negations = [t.idx - sent.start_char for t in sent if _is_negation(t)]
    negations += [m.end() + 1 for m in _DENIALS.finditer(text)]
    by_offset = {t.idx - sent.start_char: t for t in sent}
    sides: set[tuple[int, str | None]] = set()
    for k, (pos, neg) in enumerate(_CONTRAST_RES, start=1):
        for sign, pattern in ((1, pos), (-1, neg)):
            for m in pattern.finditer(text):
                # "not in parallel" states the other side; a negation shortly before the phrase flips it.
                flipped = any(0 <= m.start() - n <= 12 for n in negations)
                token = by_offset.get(m.start())
                head = parsed.clause_head(token) if token is not None else None
                denied = head is not None and (
                    any(_denies_clause(c) for c in head.children)
                    or (head.head.i != head.i and _negates_complement(parsed.clause_head(head.head), head))
                    # "does not need to process them one by one"
                    or (head.dep_ == "xcomp" and any(_denies_clause(c) for c in head.head.children))
                )
                if not flipped and denied:
                    # farther from a denial of its clause ("cannot process the words in parallel",
                    # "does not go one by one but in parallel", "without seeing future tokens") the side
                    # is unclear: the clause-level negation test judges that claim
                    continue
                entity = entity_of.get(head.i, default) if head is not None else default
                sides.add((-sign * k if flipped else sign * k, entity))
    return frozenset(sides)


def _is_complement(verb: Token) -> bool:
    """ "to write" in "uses it to write", also where the parse hangs the infinitive on the object, and
    a gerund after a preposition ("is the one for generating text")."""
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    # not after a noun set beside the subject: "the encoder focuses on X, the decoder on generating Y"
    beside = verb.head.head.dep_ in _BESIDE_SUBJECT and verb.head.head.pos_ in ("NOUN", "PROPN", "PRON")
    gerund = verb.dep_ == "pcomp" and verb.tag_ == "VBG" and not beside
    return verb.dep_ == "xcomp" or gerund or (verb.dep_ in ("acl", "advcl") and infinitive)


def _frames(sent: Span, entity_of: dict[int, str], parsed: _Parsed) -> tuple[Frame, ...]:
    tokens: dict[int, list[Token]] = {}
    claim_of: dict[int, Token] = {}  # clause head -> head of the claim it belongs to
    for tok in sent:
        head = parsed.clause_head(tok)
        if head.i not in claim_of:
            claim = head
            # a complement or purpose belongs to its verb's claim: "uses it to write the output" is one claim
            while (
                _is_complement(claim)
                and claim.head.i != claim.i
                and parsed.clause_head(claim.head).i in entity_of
            ):
                claim = parsed.clause_head(claim.head)
            claim_of[head.i] = claim
        head = claim_of[head.i]
        if head.i in entity_of and tok.dep_ not in ("nsubj", "nsubjpass"):
            tokens.setdefault(head.i, []).append(tok)
    return tuple(
        Frame(
            entity_of[i],
            parsed.stems(toks),
            frozenset(ENTITIES[t.lower_] for t in toks if t.lower_ in ENTITIES and t.head.lower_ == "than"),
            any(_is_negation(t) and t.head.i == i for t in toks),
            parsed.stems([t for t in toks if t.pos_ in ("VERB", "ADJ")]),
        )
        for i, toks in tokens.items()
    )


def _foil(sent: Span) -> set[int]:
    """The tokens of the phrases a sentence sets its claim against: "unlike word2vec, which gives every
    word the same vector", "than RNNs, which ...", "instead of ...", "as opposed to ...", "compared with
    ..."."""
    tokens: set[int] = set()
    for tok in sent:
        if (
            tok.lower_ in _SUBSTITUTE_ENDS
            and tok.i > sent.start
            and sent.doc[tok.i - 1 : tok.i + 1].text.lower() in _SUBSTITUTES
        ):
            # the parse of these varies: up to the next punctuation mark, or to the subject of the claim
            # when no comma sets the phrase off ("instead of averaging them the model picks one")
            end = next((t.i for t in sent[tok.i - sent.start :] if t.is_punct), sent.end)
            end = min(
                (t.left_edge.i for t in sent.doc[tok.i + 1 : end] if t.dep_ in ("nsubj", "nsubjpass")),
                default=end,
            )
            tokens.update(range(tok.i, end))
        elif (
            tok.lower_ in _FOILS
            and tok.head.i != tok.i  # not the root: a misparse takes the sentence
            # nor the verb of a clause of the claim: "but each word is only compared with its neighbours"
            and not any(child.dep_ in ("nsubj", "nsubjpass") for child in tok.children)
        ):
            tokens.update(t.i for t in tok.subtree)
    return tokens


def _without(sent: Span, tokens: set[int]) -> str | None:
    """The sentence's text without ``tokens``; None when none is left out, or no word is left."""
    text = "".join(t.text_with_ws for t in sent if t.i not in tokens).strip() if tokens else ""
    return text if any(c.isalnum() for c in text) else None


def _sentence(sent: Span, entities: _Entities, parsed: _Parsed) -> Sentence:
    entity_of = entities.of_sentence(sent)
    sides, frames = _sides(sent, entity_of, parsed), _frames(sent, entity_of, parsed)
    foil = _foil(sent)
    clauses, denied = _clauses(sent, parsed)
    return Sentence(
        sent.text.strip(),
        parsed.stems(sent),
        clauses,
        sides,
        frames,
        parsed.stems([t for t in sent if t.i not in foil]),
        _quantities(sent, parsed),
        _without(sent, foil),
        _without(sent, foil | denied) if denied - foil else None,
    )


def analyse(doc: Doc, topic: str | None = None) -> Analysis:
    """``topic``: what a pronoun refers to before the text names anything (the question's topic: "It
    reads both sides" answers "What is BERT?")."""
    entities, parsed = _Entities(topic), _Parsed(doc)
    sentences = tuple(_sentence(s, entities, parsed) for s in doc.sents if any(c.isalnum() for c in s.text))
    words = [t for t in doc if not t.is_punct and not t.is_space]
    items = _list_items(doc.text)
    return Analysis(
        text=doc.text,
        sentences=sentences,
        stems=parsed.stems(doc),
        n_words=len(words),
        # predicates only: a participle used as an adjective ("masked LM", "left context") explains nothing
        n_verbs=sum(
            1
            for t in doc
            if (t.pos_ == "VERB" and t.dep_ not in ("amod", "compound"))
            or (t.pos_ == "AUX" and t.dep_ not in ("aux", "auxpass"))
        ),
        n_items=len(items),
        max_item_words=max((len(c.split()) for c in items), default=0),
        has_structure=bool(re.search(r":|->|=>|\bvs\.?\b|\binstead of\b|\brather than\b", doc.text)),
        topic=next(iter(entities.named)) if len(entities.named) == 1 else None,
        n_comparisons=sum(1 for t in doc if t.tag_ in ("JJR", "RBR")),
    )


def analyse_sentence(sentence: Sentence) -> Analysis:
    """A one-sentence Analysis (for a reference sentence used as a rubric point)."""
    words = len(sentence.text.split())
    return Analysis(sentence.text, (sentence,), sentence.stems, words, 0, 1, words, False)


def merged(analysis: Analysis) -> Sentence:
    """The whole text as one sentence: for targets (rubric points) that span several sentences."""
    if len(analysis.sentences) == 1:
        return analysis.sentences[0]
    return Sentence(
        analysis.text.strip(),
        analysis.stems,
        tuple(c for s in analysis.sentences for c in s.clauses),
        frozenset().union(*(s.sides for s in analysis.sentences)),
        tuple(f for s in analysis.sentences for f in s.frames),
        frozenset().union(*(s.claimed for s in analysis.sentences)),
        frozenset().union(*(s.quantities for s in analysis.sentences)),
    )


def polar_stems(sentences: tuple[Sentence, ...]) -> frozenset[tuple[str, bool]]:
    """Each content stem with whether it is said under a denial (a negated clause, or a negated word)."""
    return frozenset(
        (s, clause.negated or s in clause.negated_terms)
        for sentence in sentences
        for clause in sentence.clauses
        for s in clause.stems
    )


def agreeing(a: frozenset[tuple[str, bool]], b: frozenset[tuple[str, bool]]) -> frozenset[str]:
    """Stems that ``a`` and ``b`` use with the same polarity."""
    return frozenset(s for s, _ in a & b)


def load_nlp() -> Language:
    """The spaCy pipeline, resolved by ``graders.assets`` (offline), its matrix products run by NumPy and
    its attribute rules matched through an index (``graders.rule_index``)."""
    from graders.assets import spacy_pipeline

    nlp = spacy_pipeline()
    use_numpy_gemm(nlp)
    index_attribute_rules(nlp)
    return nlp


def use_numpy_gemm(nlp: Language) -> None:
    """Run the pipeline's matrix products through NumPy's BLAS (OpenBLAS) instead of thinc's default BLIS:
    en_core_web_sm parses 1,000 answers 7% faster on one thread, with the same annotations
    (tests/test_textproc.py). The pipeline is the process's shared one, so every user of it gains."""
    ops = NumpyOps(use_blis=False)
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if isinstance(model, Model):
            for node in model.walk():
                node.ops = ops


def is_empty_or_idk(text: str) -> bool:
    stripped = text.strip()
    return not any(c.isalnum() for c in stripped) or bool(_IDK.match(stripped))


def grader_addressing_spans(text: str) -> list[str]:
    """Sentences (or lines) that speak to the grader instead of answering; they never earn credit."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if p.strip() and _GRADER.search(p)]


def is_keyword_list(analysis: Analysis) -> bool:
    """Several short comma-separated terms and (almost) no verbs: names things, explains nothing. Terms
    that mostly compare ("faster training, better scalability") state claims: no keyword list."""
    if analysis.has_structure or analysis.n_words < 3 or 2 * analysis.n_comparisons >= analysis.n_items:
        return False
    if analysis.max_item_words > LIST_ITEM_WORDS:
        return False
    # The tagger reads some bare nouns ("speed", "attention") and participles ("stacked layers", "question
    # answering") as verbs, so a longer list may have a few: fewer than one term in two.
    items, verbs = analysis.n_items, analysis.n_verbs
    return (items >= 3 and verbs == 0) or (items >= 4 and 2 * verbs < items)


def _list_items(text: str) -> list[str]:
    """The comma/semicolon/newline/"and"-separated chunks of ``text``."""
    return [chunk for chunk in re.split(r"[,;\n]|\s-\s|\band\b", text) if chunk.strip()]


def enumerates(text: str) -> bool:
    """Whether ``text`` lists three or more terms in a row ("The main phases are requirements, design,
    implementation, testing and maintenance."; "Left subtree, then the node, then the right subtree; ..."):
    a key that a list of terms can answer, whatever else it says."""
    run = 0
    for item in _list_items(text):
        run = run + 1 if len(item.split()) <= LIST_ITEM_WORDS else 0
        if run >= 3:
            return True
    return False


def names_things(analysis: Analysis) -> bool:
    """Terms of a few words and no verb, or one in a list of terms (the tagger reads some bare nouns,
    "Push and pop.", as verbs): a key such as "Enqueue and dequeue." that a list of terms can answer."""
    verbs_allowed = 1 if analysis.n_items > 1 else 0
    return analysis.max_item_words <= LIST_ITEM_WORDS and analysis.n_verbs <= verbs_allowed
