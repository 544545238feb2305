"""The text_augmentation checks accept the reference and a different correct implementation, catch the
seed's defects (stop words replaced, underscores, unsorted sets) and broken variants, and judge replacements
with WordNet in the trusted process."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicals import practical_dir
from practicals.text_augmentation.alignment import align, is_replaceable
from tests.practicals.checkrun import Outcome, failed, messages, run_checks

PRACTICAL = "text_augmentation"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / PRACTICAL
ALL_CHECKS = {
    "test_stop_words_untouched",
    "test_punctuation_and_spacing_untouched",
    "test_no_underscores",
    "test_replacements_share_a_synset",
    "test_replaces_between_one_and_n_words",
    "test_replacement_counts_on_other_texts",
    "test_capitalisation_kept",
    "test_same_seed_same_output",
    "test_same_seed_in_a_fresh_process",
    "test_augment_dataset_layout",
    "test_augment_dataset_same_seed",
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    # The seed draws from an unsorted set, so its output depends on the string-hash seed: pin it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONHASHSEED", "0")
        return run_checks(PRACTICAL, FIXTURES / "seed.py")


class TestAlignment:
    def test_unchanged_text_has_no_changes(self) -> None:
        assert align("This is an example sentence.", "This is an example sentence.") == []

    def test_multi_word_synonym_is_one_change(self) -> None:
        changes = align("The dog is here.", "The Canis familiaris is here.")
        assert [(c.original, c.replacement, c.synonym) for c in changes] == [
            ("dog", "Canis familiaris", True)
        ]

    def test_non_synonym_and_stop_word_are_flagged(self) -> None:
        changes = align("This is an example sentence.", "This exist an banana sentence.")
        assert [(c.original, c.synonym, c.stop_word) for c in changes] == [
            ("is", True, True),
            ("example", False, False),
        ]

    def test_changed_punctuation_or_spacing_has_no_reading(self) -> None:
        assert align("Happy,  loudly!", "Happy, loudly!") is None
        assert align("Happy, loudly!", "Happy; loudly!") is None

    def test_lost_capital_is_reported(self) -> None:
        (change,) = align("Doctors are here.", "physician are here.")
        assert change.synonym and not change.capitalisation_kept

    def test_replaceable_words(self) -> None:
        assert is_replaceable("example") and is_replaceable("Doctors")
        assert not is_replaceable("is") and not is_replaceable("the") and not is_replaceable("qwzx")


@pytest.mark.models
@pytest.mark.slow
class TestChecks:
    def test_every_check_passes_on_the_solution(self) -> None:
        outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "solution.py")
        assert set(outcomes) == ALL_CHECKS
        assert failed(outcomes) == set(), messages(outcomes)

    def test_every_check_fails_on_the_template(self) -> None:
        outcomes = run_checks(PRACTICAL, practical_dir(PRACTICAL) / "template.py")
        assert failed(outcomes) == ALL_CHECKS
        assert all("is not implemented yet" in outcome.message for outcome in outcomes.values())

    def test_a_different_correct_implementation_passes(self) -> None:
        outcomes = run_checks(PRACTICAL, FIXTURES / "alt_spacy_tokens.py")
        assert failed(outcomes) == set(), messages(outcomes)

    def test_seed_bug_stop_words_and_underscores_are_caught(self, seed: dict[str, Outcome]) -> None:
        message = seed["test_stop_words_untouched"].message
        assert not seed["test_stop_words_untouched"].passed
        assert "'This is an example sentence.'" in message and "'is' -> " in message and "'an' -> " in message
        assert not seed["test_no_underscores"].passed and "'_'" in seed["test_no_underscores"].message
        assert not seed["test_same_seed_in_a_fresh_process"].passed

    def test_seed_code_passes_where_it_is_right(self, seed: dict[str, Outcome]) -> None:
        # Its replacements are WordNet lemmas, repeatable within a process, and its dataset layout is right.
        assert failed(seed) == ALL_CHECKS - {
            "test_replacements_share_a_synset",
            "test_same_seed_same_output",
            "test_augment_dataset_layout",
            "test_augment_dataset_same_seed",
        }

    def test_hidden_failures_do_not_reveal_hidden_texts(self, seed: dict[str, Outcome]) -> None:
        for name in ("test_replacement_counts_on_other_texts", "test_capitalisation_kept"):
            message = seed[name].message
            assert "<hidden text>" in message
            assert "Doctors" not in message and "cities" not in message

    def test_broken_variants_are_caught(self) -> None:
        outcomes = run_checks(
            PRACTICAL, FIXTURES / "broken_variants.py", select="not fresh_process and not same_seed"
        )
        assert failed(outcomes) == {
            "test_replacements_share_a_synset",
            "test_replacement_counts_on_other_texts",
            "test_capitalisation_kept",
            "test_augment_dataset_layout",
        }
        assert "expected WordNet synonyms only" in outcomes["test_replacements_share_a_synset"].message
        assert "<hidden text>" in outcomes["test_replacement_counts_on_other_texts"].message
        assert "has label" in outcomes["test_augment_dataset_layout"].message

    def test_iterating_over_a_set_is_caught_in_a_fresh_process(self) -> None:
        outcomes = run_checks(PRACTICAL, FIXTURES / "broken_set_order.py", select="same_seed")
        assert failed(outcomes) == {"test_same_seed_in_a_fresh_process"}
        assert "outputs differ" in outcomes["test_same_seed_in_a_fresh_process"].message
