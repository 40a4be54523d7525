"""Parents' own words into the trained words (companion/nlu/parent_words.py)."""

import pytest

from companion.nlu.parent_words import ParentWords, ParentWordsError


@pytest.fixture(scope="module")
def words():
    return ParentWords.load()


@pytest.mark.parametrize(
    "typed, normal",
    [
        ("the SW said we r on a plan", "the social worker said we are on a child protection plan"),
        ("wat happens at the conf 2moro", "what happens at the conference tomorrow"),
        ("how do we get off the plan", "how do we get off the child protection plan"),
        ("Social came round", "social services came round"),
        ("can me nan come wiv me", "can me grandmother come with me"),
        ("can i bring my mum & dad", "can i bring my mum and dad"),
        ("whats a cp conf", "what is a child protection conference"),
    ],
)
def test_parents_words_become_the_trained_words(words, typed, normal):
    assert words.normalise(typed) == normal


@pytest.mark.parametrize(
    "kept",
    [
        "the social worker from the school",  # not "social services worker"
        "my social workers never answer",
        "is it on social media",
        "what does ICPC mean",  # the glossary's abbreviations stay questions about words
        "the bus",  # "u" only as a whole word
        "",
    ],
)
def test_other_words_are_left_alone(words, kept):
    assert words.normalise(kept) == kept


def test_a_replacement_is_not_replaced_again():
    words = ParentWords({"social services": ["social"], "services": ["servs"]})
    assert words.normalise("social") == "social services"


def test_a_word_listed_twice_is_an_error():
    with pytest.raises(ParentWordsError, match="'sw'"):
        ParentWords({"social worker": ["sw"], "software": ["sw"]})


def test_a_bad_file_says_which(tmp_path):
    bad = tmp_path / "parent_words.yml"
    bad.write_text("words: [just, a, list]\n")
    with pytest.raises(ParentWordsError, match="parent_words.yml"):
        ParentWords.load(bad)
