"""The sentences the actions build come from content/ and are checked there."""

from pathlib import Path

import pytest
import yaml

from actions import your_dates as yd
from actions.content import (
    ANSWERS_SHAPE,
    SIGNPOSTS_SHAPE,
    ContentError,
    content,
    parse_jargon,
    parse_topics,
    parse_words,
)

ROOT = Path(__file__).resolve().parents[2]


def read(name):
    return yaml.safe_load((ROOT / "content" / name).read_text(encoding="utf-8"))


def test_the_shipped_sentences_load():
    words = content()
    assert set(words.signposts) == set(SIGNPOSTS_SHAPE)
    assert set(words.answers) == set(ANSWERS_SHAPE)
    assert [b["payload"] for b in words.jargon.follow_ups] == [
        "/ask_what_is_conference",
        "/ask_who_attends",
        "/show_menu",
    ]


def test_a_missing_sentence_names_the_file_and_the_key():
    data = read("signposts.yml")
    del data["advocacy"]["none"]
    with pytest.raises(ContentError, match=r"^content/signposts.yml: advocacy.none is missing$"):
        parse_words(data, SIGNPOSTS_SHAPE, "content/signposts.yml")
    data = read("signposts.yml")
    del data["national_advice"]
    with pytest.raises(ContentError, match="national_advice.helpline is missing"):
        parse_words(data, SIGNPOSTS_SHAPE, "content/signposts.yml")


def test_a_name_the_bot_cannot_fill_is_caught_at_start_up():
    data = read("signposts.yml")
    data["out_of_hours"] = "; evenings and weekends: {phone_number}"
    with pytest.raises(
        ContentError,
        match=r"out_of_hours uses \{phone_number\}, which the bot "
        r"cannot fill here \(it fills \{phone\}\)",
    ):
        parse_words(data, SIGNPOSTS_SHAPE, "content/signposts.yml")
    data = read("answers.yml")
    data["source"] = "Source: {sources."
    with pytest.raises(ContentError, match="source has a { or } without its pair"):
        parse_words(data, ANSWERS_SHAPE, "content/answers.yml")


def test_the_glossary_answers_buttons_need_a_title_and_an_intent():
    data = read("jargon.yml")
    data["follow_ups"][1] = {"title": "Who will be there?", "payload": "ask_who_attends"}
    with pytest.raises(ContentError, match=r"follow_ups\[1\]: payload should be an intent"):
        parse_jargon(data)
    data["follow_ups"] = []
    with pytest.raises(ContentError, match="follow_ups: should list buttons"):
        parse_jargon(data)


def test_the_menu_words_are_checked():
    data = read("topics.yml")
    data["section_intro"] = "{title}: choose a question."
    with pytest.raises(ContentError, match=r"section_intro uses \{title\}"):
        parse_topics(data)
    del data["talk_to_person"]
    data["section_intro"] = "{section}: choose a question."
    with pytest.raises(ContentError, match="talk_to_person is missing"):
        parse_topics(data)


@pytest.mark.parametrize(
    "block, key", [("timeline", "answer_lead"), ("buttons", "nation_wales"), ("questions", "any_meeting")]
)
def test_the_dates_words_file_needs_the_new_sentences(block, key):
    data = read("dates.yml")
    del data[block][key]
    with pytest.raises(ContentError, match=f"{block}.{key} is missing"):
        yd.parse_date_words(data)
