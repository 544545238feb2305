"""Claims, entities and negation read from the parse (real spaCy pipeline): the reversal tests."""

from __future__ import annotations

import pytest

from graders.signals import conflicts
from graders.textproc import (
    COMPLEXITY,
    Sentence,
    agreeing,
    analyse,
    complexity_classes,
    load_nlp,
    merged,
    polar_stems,
    use_numpy_gemm,
)

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def sentence():
    nlp = load_nlp()

    def parse(text: str) -> Sentence:
        return merged(analyse(nlp(text)))

    return parse


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        # the claims of two entities swapped, each side stated
        (
            "GPT-2 is bidirectional and sees both sides; BERT is unidirectional and reads left to right.",
            "BERT is bidirectional, while GPT-2 is unidirectional and reads left to right.",
        ),
        # roles swapped with other verbs than the point's
        (
            "The decoder reads the input sequence and builds a representation.",
            "The encoder processes the input sequence into a continuous representation.",
        ),
        # a pronoun subject takes the entity named before it
        (
            "You'd use BERT here, because it reads left to right.",
            "BERT is bidirectional: it reads the words on both sides.",
        ),
        ("Transformers process the words sequentially.", "Transformers process all the words in parallel."),
        ("GPT-2 does not generate one token at a time.", "GPT-2 generates one token at a time."),
        # a claim and its complement are one: "the encoder uses it to write the output"
        (
            "The decoder reads the input and builds a representation, and the encoder then uses it to write "
            "the output.",
            "The decoder uses the encoder's representation to generate the output sequence.",
        ),
        # predicting the next word is generating one step at a time
        ("GPT-2 generates text by predicting the next word.", "GPT-2 generates the whole text at once."),
        # a negated verb denies the clause it governs
        (
            "Self-attention does not let a model attend to other parts of the same sequence.",
            "Self-attention lets each element attend to the other elements of the same sequence.",
        ),
        # ... and a verb coordinated under the same auxiliary
        (
            "Stacking layers does not refine the representation or capture complex relationships.",
            "Deeper layers capture increasingly complex relationships.",
        ),
        # a denied subject denies its clause, and the clause's complement
        (
            "No layer takes the output of the previous one.",
            "Each layer takes the output of the previous layer.",
        ),
        (
            "Neither part is focused on understanding the input.",
            "The encoder focuses on understanding the input.",
        ),
        # verbs of prevention deny their complement
        (
            "The attention mechanism keeps the model from focusing on the relevant parts of the input.",
            "Attention lets a model focus on the most relevant parts of the input.",
        ),
        # a negative prefix is a negation
        (
            "Each new element is independent of the previously generated elements.",
            "Each new element depends on the previously generated elements.",
        ),
        # "less X" denies X
        (
            "Self-attention captures long-range dependencies less effectively than RNNs.",
            "Self-attention captures long-range dependencies more effectively than RNNs.",
        ),
        (
            "The decoder generates the whole output at once.",
            "The decoder generates the output one token at a time.",
        ),
        # "without using" an entity denies the entity
        (
            "In a seq2seq model the decoder generates the output sequence on its own, without using the "
            "encoder.",
            "The seq2seq decoder produces its output from the encoder's representation of the input "
            "sequence.",
        ),
        # one shared word that both claims say of their entity
        ("The decoder is trainable.", "The encoder is trainable."),
        # a causative verb's complement speaks of the verb's subject
        (
            "Self-attention is when the decoder attends to the encoder's output, while traditional attention "
            "lets the parts of the same input sequence weigh each other.",
            "Self-attention lets each element attend to the other elements of the same sequence.",
        ),
        # "in a single step" is all at once; an entity inside a relative clause ("the half that writes the
        # output") is not what the next sentence's pronoun speaks of
        (
            "The decoder is the half that writes the output. It produces the target sequence step by step.",
            "The decoder outputs the whole target sequence in a single step.",
        ),
        # a gerund after a preposition belongs to its clause's claim
        (
            "gpt2 is the one for generating text, bert is more for understanding sentences.",
            "BERT is mainly used to generate long texts, while GPT-2 is used for classification.",
        ),
        (  # after a coordinated verb too
            "BERT reads both directions and is used for generating text.",
            "GPT-2 is designed mainly for generating text.",
        ),
        # "within one sequence" and "a different input sequence" are the two sides of the same contrast: the
        # right answer reverses the misconception that swaps them
        (
            "Self-attention relates positions within one sequence; traditional attention attends from one "
            "sequence to another, e.g. decoder to encoder.",
            "Self-attention attends to a different input sequence, while traditional attention stays within "
            "one sequence.",
        ),
        # "harder to" denies the infinitive like "fails to", whether the parse hangs it on the adjective or
        # on the verb
        (
            "With attention it is more difficult to capture long-range dependencies in sequences.",
            "Attention helps a model capture long-range dependencies in sequential data.",
        ),
        (
            "Attention makes it harder for the model to capture long-range dependencies.",
            "Attention helps a model capture long-range dependencies in sequential data.",
        ),
        # "takes what the encoder made ... and turns it into ...": the second verb is the decoder's act (the
        # parse joins it to the free relative's verb), so "one token at a time" is said of the decoder
        (
            "The decoder takes what the encoder made of the input and turns it into the output, one token "
            "at a time.",
            "The decoder outputs the whole target sequence in a single step.",
        ),
        # pre-trained weights kept frozen are not adjusted
        (
            "During fine-tuning the pre-trained weights of BERT are kept frozen.",
            "Fine-tuning adjusts the weights of the already pre-trained BERT model to fit a specific task.",
        ),
        # a comparison the other way round
        (
            "Transformers capture long-range dependencies better than RNNs.",
            "RNNs capture long-range dependencies better than Transformers because they have memory.",
        ),
        # the subject parsed as another noun of the same name ("position" of "position encoding"), or
        # named without the entity the point's subject is ("each layer" for "each Transformer layer")
        (
            "Position encoding in a Transformer does not add information about the position of each element "
            "in the input sequence.",
            "Positional encoding adds information about each element's position in the sequence to its "
            "embedding.",
        ),
        (
            "Each layer does not apply self-attention to the output of the previous layer.",
            "Each Transformer layer applies self-attention and feed-forward processing to the output of the "
            "previous layer.",
        ),
        # a clause that calls the claim it governs wrong denies it
        ("It is wrong to say that BERT is pre-trained.", "BERT is pre-trained."),
        (
            "It is a myth that Transformers process the tokens in parallel.",
            "Transformers process the tokens in parallel.",
        ),
        (
            "A common misconception is that self-attention weighs the parts of the same sequence.",
            "Self-attention weighs the parts of the same sequence.",
        ),
        ("It is false that BERT reads both the left and the right context.", "BERT reads both contexts."),
        (
            "An abstract data type depends on how it is implemented.",
            "An abstract data type is a data type defined by its values and the operations on them, "
            "independent of how it is implemented.",
        ),
        # "hardly" denies like "not"
        (
            "Self-attention hardly lets the model weigh the parts of the input against each other.",
            "Self-attention lets the model weigh the parts of the input against each other.",
        ),
    ],
)
def test_reversals_are_found(sentence, answer: str, point: str) -> None:
    assert conflicts(sentence(answer), sentence(point))


@pytest.mark.parametrize(
    ("answer", "point", "note"),
    [
        ("BERT-large has 24 layers.", "BERT-base has 12 layers.", "gives another number"),
        ("8", "6", "gives another number"),
        ("It has eight sides.", "A hexagon has 6 sides.", "gives another number"),
        # the same value, spelled otherwise or beside other numbers
        ("It has six sides.", "A hexagon has 6 sides.", None),
        ("BERT-base has 12 layers and 110 million parameters.", "BERT-base has 12 layers.", None),
        # other things counted, or no number at all: not what the point counts
        ("GPT-2 was trained on 40 GB of text.", "GPT-2 has 12 layers.", None),
        ("BERT-base has many layers.", "BERT-base has 12 layers.", None),
    ],
)
def test_another_value_for_what_a_point_counts_reverses_it(sentence, answer: str, point: str, note) -> None:
    assert conflicts(sentence(answer), sentence(point)) == note


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("O(log n)", "O(log n)"),
        ("O(log2 n)", "O(log n)"),
        ("log(n) steps", "O(log n)"),
        ("log base 2 of n", "O(log n)"),
        ("it is logarithmic", "O(log n)"),
        ("lg n", "O(log n)"),
        ("O(1)", "O(1)"),
        ("constant time", "O(1)"),
        ("linear for a linked list", "O(n)"),
        ("grows linearly", "O(n)"),
        ("O(n log n)", "O(n log n)"),
        ("n*log(n)", "O(n log n)"),
        ("linearithmic", "O(n log n)"),
        ("O(n^2)", "O(n^2)"),
        ("Θ(n²)", "O(n^2)"),
        ("n squared", "O(n^2)"),
        ("O(n*n)", "O(n^2)"),
        ("quadratic", "O(n^2)"),
        ("O(2^n)", "O(2^n)"),
        ("O(V + E)", "O(v+e)"),
    ],
)
def test_a_complexity_class_is_one_word_however_it_is_written(sentence, written: str, name: str) -> None:
    """One word, which the question's "n" ("an array of n elements") does not demote: "logarithmic time,
    log n" for "O(log n)" once shared only the word "log" with the reference."""
    assert [found for _, _, found in complexity_classes(written)] == [name]
    assert name in sentence(written).stems and (name, COMPLEXITY) in sentence(written).quantities


@pytest.mark.parametrize(
    "text",
    ["a linear layer", "exponential decay", "a constant learning rate", "linear search", "n/2 comparisons"],
)
def test_words_of_complexity_used_otherwise_name_no_class(text: str) -> None:
    assert complexity_classes(text) == []


def test_the_1_of_o_1_is_no_number(sentence) -> None:
    """Else it was a bare "1", which any other number in an answer ("for 1000 elements") contradicted."""
    assert sentence("Array access is O(1).").quantities == frozenset({("O(1)", COMPLEXITY)})


@pytest.mark.parametrize(
    ("answer", "point", "note"),
    [
        (
            "O(n), since it may check every element.",
            "O(log n), because each comparison halves the range.",
            "gives another complexity",
        ),
        (
            "Binary search is O(1) because it goes to the middle.",
            "Binary search is O(log n).",
            "gives another complexity",
        ),
        # the same class written otherwise, or one of the point's two
        ("It is logarithmic, log n.", "O(log n), because each comparison halves the range.", None),
        ("log(n) in the worst case and O(1) in the best.", "O(log n) in the worst case.", None),
        ("Array access is O(1).", "Array access is O(1) and linked-list access O(n).", None),
        # a number is not a complexity
        ("For 1000 elements it takes about 10 steps.", "O(log n).", None),
    ],
)
def test_another_complexity_class_reverses_a_point(sentence, answer: str, point: str, note) -> None:
    assert conflicts(sentence(answer), sentence(point)) == note


def test_a_complexity_class_the_question_names_is_no_claim(sentence) -> None:
    """ "Why does merge sort run in O(n log n) time?": an answer's "so n log n in total" repeats the question
    and contradicts no point; it contradicts one that says why only when the question does not name it."""
    answer = sentence("So it is n log n in total.")
    point = sentence("Merge sort halves the array into about log n levels, and merging a level takes O(n).")
    question = sentence("Why does merge sort run in O(n log n) time?").stems
    assert conflicts(answer, point) == "gives another complexity"
    assert conflicts(answer, point, question) is None


@pytest.mark.parametrize(
    ("acronym", "written_out"),
    [
        ("A stack is LIFO.", "A stack is last in, first out."),
        ("BSTs keep their keys sorted.", "Binary search trees keep their keys sorted."),
        ("BERT is trained with MLM.", "BERT is trained with masked language modelling."),
    ],
)
def test_an_acronym_says_what_its_words_say(sentence, acronym: str, written_out: str) -> None:
    """ "Stack is LIFO, queue is FIFO" once shared no word with "a stack is last-in first-out"."""
    assert sentence(acronym).stems == sentence(written_out).stems


def test_number_words_are_content_words_spelled_in_digits(sentence) -> None:
    assert sentence("It has six sides.").stems == sentence("It has 6 sides.").stems
    assert sentence("twelve layers").quantities == frozenset({("12", "layer")})
    assert "6" in sentence("six").stems  # a stop word for spaCy: the answer would have no content at all


def test_an_output_of_another_length_is_no_output_of_the_same_length(sentence) -> None:
    misconception = sentence(
        "An encoder-decoder must output a sequence with exactly the same length as its input."
    )
    right = sentence(
        "It reads a sequence of any length and produces another one, possibly of a different length."
    )
    assert conflicts(right, misconception) == "contradicts it"


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        (
            "BERT reads both sides of a word, while GPT-2 only reads left to right.",
            "BERT is bidirectional, while GPT-2 is unidirectional and reads left to right.",
        ),
        # a negated word the point does not use ("not lower") does not negate the claim
        (
            "When the string is tightened, the pitch is higher, not lower.",
            "A tighter string gives a higher pitch.",
        ),
        # "encoder decoder models" names no single entity
        (
            "Encoder decoder models map an input sequence to a different output sequence.",
            "The encoder-decoder architecture maps an input sequence to an output sequence.",
        ),
        # a clause about another subject speaks of the sentence's entity
        (
            "The Transformer drops recurrence, so every position is handled at the same time.",
            "RNNs process a sequence sequentially, one step at a time.",
        ),
        ("Encoder handles the input, decoder generates the output.", "The decoder generates the output."),
        # a clause without an entity subject in a sentence about two entities is said of neither
        (
            "Transformers train much faster since all tokens are processed in parallel, while RNNs go one "
            "step after another.",
            "RNNs must process the tokens sequentially, one step after another.",
        ),
        # the subject of a relative clause is not the topic a later pronoun refers to
        (
            "From the vectors the encoder made of the source, it emits the target one word at a time.",
            "A seq2seq decoder usually produces the output one token at a time.",
        ),
        # an entity named as a modifier ("an output layer") is not what a clause speaks of
        (
            "BERT is first pre-trained on unlabeled text. Fine-tuning means adding a small output layer and "
            "continuing training on a smaller labelled dataset.",
            "BERT fine-tuning uses a smaller, task-specific labelled dataset.",
        ),
        # a relative clause after a prepositional phrase speaks of the phrase's head ("a stack of ... that")
        (
            "BERT is a stack of Transformer encoders that is first trained on raw text; afterwards it is "
            "adapted to a task with a little labeled data.",
            "BERT is pre-trained on a large corpus of unlabeled text and then fine-tuned on specific tasks.",
        ),
        # "self" and "traditional" name their attention mechanisms as modifiers
        (
            "Self-attention: words attend to their own sentence. Traditional: the decoder attends to a "
            "different (encoder) sequence.",
            "Traditional attention attends to a separate sequence, such as the decoder attending to one.",
        ),
        # a possessive names no topic ("the encoder's encoding")
        (
            "It generates the output token by token from the encoder's encoding.",
            "A seq2seq decoder produces the output one token at a time.",
        ),
        # a relative clause after "than" speaks of the compared noun when its verb agrees
        (
            "RNNs forget things over long sequences.",
            "Transformers process sequences in parallel, so they train faster than RNNs, which process "
            "sequences sequentially.",
        ),
        # a claim about the entity a point compares with is no swap
        (
            "RNNs forget things over long sequences, and Transformers scale to bigger data.",
            "Transformers handle longer sequences and larger datasets more efficiently than RNNs.",
        ),
        # a denied verb does not deny a finite clause after its preposition
        (
            "However far apart two tokens are, attention relates them in a single step.",
            "How well two elements can be related does not depend on how far apart they are.",
        ),
        # a denial about another subject denies nothing of this one
        (
            "Switch Y is not in the same closed path as the battery.",
            "Bulb A is still in a closed path with the battery.",
        ),
        ("RNNs cannot process the words in parallel.", "Transformers process all the words in parallel."),
        # "less" grades a quality ("less effectively"), it does not deny a verb
        ("The shorter the string, the more it swings.", "The longer the string is, the less it swings."),
        # comparatives and the things two claims speak of are no shared claim
        (
            "GPT-2 is better at generating text.",
            "BERT is better suited to tasks that need an understanding of text.",
        ),
        ("BERT is better at understanding text.", "GPT-2 is designed mainly for text generation."),
        # a side in a clause that "without" denies is unclear: the negation test judges that claim
        (
            "GPT-2 generates text one token at a time, each token predicted from the previous ones, without "
            "seeing future tokens.",
            "GPT-2 predicts the next word based on the words it has already generated.",
        ),
        # both deny the encoder
        (
            "The decoder generates the output on its own, without using the encoder.",
            "The decoder generates the output on its own, without information from the encoder.",
        ),
        # "without" + a gerund denies an entity, not every object
        (
            "The decoder generates the text without copying the words.",
            "The decoder generates the words of the text one at a time.",
        ),
        # a causative verb's complement that has a subject of its own speaks of that subject
        (
            "Self-attention lets the words of the same sentence attend to each other.",
            "Self-attention lets each element attend to the other elements of the same sequence.",
        ),
        # "not only X but also Y" affirms X
        (
            "BERT is not only pre-trained on unlabeled text but also fine-tuned on labelled data.",
            "BERT is pre-trained on a large corpus of text and then fine-tuned on specific tasks.",
        ),
        # a quantity of zero says "no", and only that
        ("The boat with no marbles is the control.", "The boat with 0 marbles is the standard."),
        ("Layer norm gives the activations zero mean.", "Layer norm gives the activations a mean of zero."),
        # the same comparison the other way round
        (
            "RNNs handle long sequences less efficiently than Transformers.",
            "Transformers handle long sequences more efficiently than RNNs.",
        ),
        # "without" denies what it governs, not the clause
        ("The decoder generates the output without any recurrence.", "The decoder generates the output."),
        # the name in brackets after a compared noun is compared too: "they" are the Transformers
        (
            "Transformers are faster than recurrent neural networks (RNNs) because they can process the "
            "input in parallel, unlike RNNs, which process it sequentially.",
            "Transformers can process all positions of an input sequence in parallel.",
        ),
        # ... even where the parse hangs the foil's relative clause on the claim: both sides, unclear
        (
            "Transformers are faster than recurrent neural networks (RNNs) because they can process input "
            "sequences in parallel, unlike RNNs and LSTMs, which process sequences sequentially.",
            "RNNs and LSTMs process a sequence sequentially, one step at a time.",
        ),
        # what the encoder does and what the decoder does share objects, not an action: no swap
        (
            "The encoder processes the input sequence into a continuous representation.",
            "The decoder uses the encoder's representation to generate the output sequence.",
        ),
        # the other side of the contrast, said of the other entity: the same contrast from its other end
        (
            "Traditional attention involves attending to a separate input sequence.",
            "Self-attention lets each element attend to the other elements of the same sequence.",
        ),
        # "has no information about the order" denies its clause, as "does not capture the order" does
        (
            "Without positional encoding the Transformer has no information about the word order.",
            "Without positional encoding the Transformer does not capture the order of the sequence, unlike "
            "an RNN.",
        ),
        # a free relative ("what the encoder has produced from the input") names a thing, it claims nothing
        (
            "The decoder takes what the encoder has produced from the input and turns it into the target "
            "sequence.",
            "The seq2seq decoder produces its output from the encoder's representation of the input "
            "sequence.",
        ),
        # frozen only in what it is set against, or frozen layers beside updated ones
        (
            "Fine-tuning updates the pre-trained weights instead of keeping them frozen.",
            "Fine-tuning adjusts the weights of the already pre-trained BERT model to fit a specific task.",
        ),
        (
            "The lower layers can stay frozen while the top layers are updated on the task.",
            "Fine-tuning adjusts the weights of the already pre-trained BERT model to fit a specific task.",
        ),
        # "without recurrence" denies the recurrence, not that the positions are computed in parallel; what
        # it "does not need to" do it may not do, but no side is said
        (
            "Transformers don't need to process tokens one by one: without recurrence they compute all "
            "positions in parallel, so training is much faster than for sequential RNNs.",
            "Transformers process input sequences in parallel, so they train much faster than RNNs, which "
            "process sequences sequentially.",
        ),
        # another subject than the point's, though the point's words name it: "switch Y" is not "bulb A"
        ("Switch Y is not in the path of bulb A.", "Bulb A is in the closed path."),
        (
            "The encoder does not produce the output sequence.",
            "The decoder produces the output sequence from the encoder's representation.",
        ),
        # a denial in a clause that the parse attaches across a semicolon stays in that clause
        (
            "The encoder does not see the labels; the decoder generates the output sequence.",
            "The decoder generates the output sequence.",
        ),
        # a denial that agrees with one clause of the reference denies none of its others
        (
            "In pass by value the changes made in the function do not affect the caller's variable, in pass "
            "by reference they do.",
            "Pass by value copies the argument, so changes inside the function do not affect the caller; "
            "pass by reference passes the variable itself, so changes affect the original.",
        ),
        # ", not by how" denies its phrase, not its clause; "independent of how" denies the same
        (
            "A data type defined by the operations you can do on it, not by how it is implemented.",
            "An abstract data type is a data type defined by its values and the operations on them, "
            "independent of how it is implemented.",
        ),
        # ... and so does "without specifying": the clause "how it is implemented" is denied with its parent
        (
            "An ADT describes what the data is and what operations can be done without specifying the "
            "implementation.",
            "An abstract data type is a data type defined by its values and the operations on them, "
            "independent of how it is implemented.",
        ),
        # "a reference cannot" leaves out what it cannot: no claim to compare
        (
            "A pointer can be null, a reference cannot.",
            "A reference is an alias that must be initialized and cannot be reseated or null; a pointer "
            "stores an address, can be null, and can be changed to point elsewhere.",
        ),
        # "a sorted or unsorted list" takes no side on "sorted"
        (
            "Insertion and deletion are O(log n), which is better than O(n) for a sorted list.",
            "A heap gives O(1) access to the highest-priority item and O(log n) insertion and removal, "
            "better than using a sorted or unsorted list.",
        ),
        # a word denied on its own that the sentence says in another clause: the rest of the phrase is denied
        (
            "You load BERT without any training from zero and keep training it on your labeled reviews.",
            "BERT is pre-trained.",
        ),
        (
            "BERT is fine-tuned with no training from scratch: you keep training the pre-trained weights.",
            "Fine-tuning trains the pre-trained BERT model further on the task.",
        ),
    ],
)
def test_agreeing_answers_are_not_reversals(sentence, answer: str, point: str) -> None:
    assert conflicts(sentence(answer), sentence(point)) is None


@pytest.mark.parametrize(
    ("answer", "point", "question"),
    [
        # the reference says of each side what the answer says of one: the clauses the answer shares most
        # with ("changes do not affect the caller", "changes affect the original") are of both polarities
        (
            "When you pass by reference you can change the variable.",
            "Pass by value copies the argument, so changes inside the function do not affect the caller; "
            "pass by reference passes the variable itself, so changes affect the original.",
            "What is the difference between pass by value and pass by reference?",
        ),
        # the question's words leave "an array has a fixed size" one word ("size"): too little to deny
        (
            "It's dynamic, you can add nodes as you need and don't have to know the size beforehand.",
            "A linked list can grow and shrink dynamically and supports insertion or deletion without "
            "shifting elements, whereas an array has a fixed size.",
            "What is the main advantage of a linked list over an array?",
        ),
    ],
)
def test_agreeing_answers_to_a_two_sided_reference_are_not_reversals(
    sentence, answer: str, point: str, question: str
) -> None:
    assert conflicts(sentence(answer), sentence(point), sentence(question).stems) is None


def test_shared_words_keep_their_polarity(sentence) -> None:
    def polar(text: str) -> frozenset[tuple[str, bool]]:
        return polar_stems((sentence(text),))

    point = polar("The decoder produces the output sequence.")
    assert "produc" not in agreeing(polar("The decoder does not produce the output sequence."), point)
    assert "produc" in agreeing(polar("The decoder simply produces the output sequence."), point)
    assert "produc" in agreeing(
        polar("The encoder cannot produce it."), polar("The encoder does not produce it.")
    )


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("What is BERT and how does it work?", "bert"),
        ("How does the GPT-2 model generate text?", "gpt"),
        ("What are the advantages of using the Transformer over RNN-based models in NLP?", "transformer"),
        ("Why is the Transformer model considered more efficient than RNNs and LSTMs?", "transformer"),
        # several entities, or only inside prepositional phrases: no topic
        ("What is the difference between GPT-2 and BERT models?", None),
        ("How do BERT and GPT-2 differ?", None),
        ("Which model, BERT or GPT-2, reads text left to right?", None),
        ("What is the impact of attention on models like BERT and GPT-2?", None),
        ("What is the role of the decoder in a Seq2Seq model?", None),
    ],
)
def test_a_question_names_its_topic(question: str, topic: str | None) -> None:
    assert analyse(load_nlp()(question)).topic == topic


def test_a_pronoun_before_any_name_speaks_of_the_topic() -> None:
    nlp = load_nlp()
    answer = "They capture long-range dependencies better than RNNs."
    point = merged(analyse(nlp("RNNs capture long-range dependencies better than Transformers.")))
    assert conflicts(merged(analyse(nlp(answer), "transformer")), point)
    assert conflicts(merged(analyse(nlp(answer))), point) is None  # "they" of nothing named
    # an entity named later in a comparison ("than RNNs and LSTMs") is no antecedent
    later = analyse(nlp("Transformers are faster than RNNs and LSTMs, and they process words in parallel."))
    assert {frame.entity for s in later.sentences for frame in s.frames} == {"transformer"}


@pytest.mark.parametrize(
    ("text", "foil", "claim"),
    [
        (
            "Unlike word2vec, which gives every word the same vector, BERT's vectors are contextual.",
            "same",
            "contextu",
        ),
        ("Transformers need less data than RNNs, which have far fewer parameters.", "paramet", "datum"),
        ("It generates the output step by step instead of in a single go.", "singl", "step"),
        ("It works in parallel rather than sequentially, so training is fast.", "sequenti", "fast"),
        # no comma after the phrase: it ends where the claim's subject starts
        ("But instead of taking a weighted sum the model simply picks one word.", "sum", "pick"),
        ("Compared with RNNs, which read word by word, Transformers work in parallel.", "read", "parallel"),
    ],
)
def test_the_phrase_a_claim_is_set_against_is_not_claimed(sentence, text: str, foil: str, claim: str) -> None:
    parsed = sentence(text)
    assert foil in parsed.stems and foil not in parsed.claimed
    assert claim in parsed.claimed


def test_the_claim_text_leaves_out_what_it_is_set_against(sentence) -> None:
    """What the answer model reads: "unlike RNNs, which ..." states nothing the answer claims."""
    contrast = sentence("Unlike RNNs, which read tokens one by one, Transformers process them in parallel.")
    assert contrast.claim is not None and "RNNs" not in contrast.claim and "in parallel" in contrast.claim
    assert sentence("Transformers process the tokens in parallel.").claim is None


def test_the_affirmed_text_leaves_out_what_the_sentence_denies(sentence) -> None:
    """What the answer model reads as affirmed: a denied clause, what it governs and a denied phrase are
    left out; a colon or semicolon sets the next claim apart. A sentence that denies everything it says
    has no affirmed text of its own."""
    parsed = sentence(
        "The decoder is not the part that reads the input; it takes the encoder's representation and "
        "generates the output from it."
    )
    assert parsed.affirmed is not None and "reads" not in parsed.affirmed and "generates" in parsed.affirmed
    parsed = sentence(
        "Attention doesn't treat all input positions equally: for each output step it gives higher weights "
        "to the most relevant parts."
    )
    assert parsed.affirmed is not None and "equally" not in parsed.affirmed and "weights" in parsed.affirmed
    parsed = sentence("BERT is a stack of encoders with no recurrence, reading both sides at once.")
    assert parsed.affirmed is not None and "recurrence" not in parsed.affirmed and "both" in parsed.affirmed
    assert sentence("Transformers do not use recurrence.").affirmed is None
    assert sentence("It is not wrong to say that BERT is pre-trained.").affirmed is None


def test_a_foil_word_as_the_verb_of_a_clause_is_claimed(sentence) -> None:
    """A clause whose verb is a foil word ("but each word is only compared with its neighbours") is part of
    the claim, not what the claim is set against."""
    parsed = sentence(
        "Attention computes a weighted sum of the inputs, but each word is only compared with the words "
        "directly next to it."
    )
    assert {"compar", "next", "onli"} <= parsed.claimed


def test_numpy_matrix_products_parse_like_blis() -> None:
    """The grader's pipeline runs its matrix products through NumPy (use_numpy_gemm, for speed); the
    annotations the analysis reads are the same as with thinc's default BLIS."""
    import spacy

    from graders.assets import spacy_pipeline_name

    blis, numpy_gemm = (spacy.load(spacy_pipeline_name(), exclude=["ner"]) for _ in range(2))
    use_numpy_gemm(numpy_gemm)
    assert not any(node.ops.use_blis for _, pipe in numpy_gemm.pipeline for node in _nodes(pipe))
    assert all(node.ops.use_blis for _, pipe in blis.pipeline for node in _nodes(pipe))
    texts = [
        "BERT is bidirectional, while GPT-2 reads left to right.",
        "The decoder doesn't read the input; it generates the output one token at a time.",
        "Without recurrence, all positions are processed in parallel, so training is faster on GPUs.",
        "I think it's an encoder-decoder model that was pre-trained on unlabeled text and then fine-tuned.",
    ]

    def annotations(nlp: spacy.language.Language) -> list[list[tuple]]:
        return [[(t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_) for t in doc] for doc in nlp.pipe(texts)]

    assert annotations(numpy_gemm) == annotations(blis)


def _nodes(pipe) -> list:
    model = getattr(pipe, "model", None)
    return list(model.walk()) if model is not None else []


def test_a_denied_entity_counts_as_content_the_claims_share(sentence) -> None:
    """Without the question's words (as the grader compares), "generates the output sequence without using
    the encoder" shares with the point only "sequence" beyond entity names; the encoder it denies counts
    too, so the denial is found."""
    question = analyse(load_nlp()("What is the role of the decoder in a Seq2Seq model?")).stems
    point = sentence(
        "The seq2seq decoder produces its output from the encoder's representation of the input sequence."
    )
    denial = (
        "In a seq2seq model the decoder generates the output sequence on its own, without using the encoder."
    )
    assert conflicts(sentence(denial), point, question) == "negates it"
    right = "The decoder generates the output sequence from what the encoder made of the input sequence."
    assert conflicts(sentence(right), point, question) is None
