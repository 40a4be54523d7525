"""Answers as text messages: GSM-7, segments, options, keywords, the sender's hash."""

import pytest

from companion.channels import sms_text as sms

WORDS = sms.load_sms_words()
LONG = ("A core group is a small group that meets if your child has a plan. " * 12).strip()


def test_look_alike_characters_keep_texts_in_gsm7():
    text = sms.to_gsm("Don\u2019t worry \u2013 it\u2019s \u201cnormal\u201d\u2026")
    assert text == "Don't worry - it's \"normal\"..." and sms.is_gsm7(text)
    assert not sms.is_gsm7("emoji \U0001f600")
    assert sms.gsm_length("a[b]") == 6 and sms.gsm_length("abc") == 3


def test_buttons_become_numbered_options():
    text, payloads = sms.flatten(
        [
            {"text": "First."},
            {
                "text": "Second.",
                "buttons": [
                    {"title": "Yes, that's right", "payload": "/affirm"},
                    {"title": "No, change it", "payload": "/deny"},
                ],
            },
        ],
        WORDS,
    )
    assert text == "First.\n\nSecond.\n\nReply with a number:\n1 Yes, that's right\n2 No, change it"
    assert payloads == ["/affirm", "/deny"]
    assert sms.chosen_option(" 2 ", payloads) == "/deny"
    assert sms.chosen_option("2.", payloads) == "/deny"
    assert sms.chosen_option("3", payloads) is None
    assert sms.chosen_option("2 kids", payloads) is None


def test_short_answers_are_one_text_with_a_neutral_first_line():
    texts, rest = sms.split_texts("Call 999 now.", WORDS)
    assert texts == ["Info service:\nCall 999 now."] and rest == ""


def test_long_answers_are_cut_at_sentences_into_three_texts_and_more():
    texts, rest = sms.split_texts(LONG, WORDS)
    assert len(texts) == WORDS.most_texts
    assert all(len(t) <= 160 for t in texts)
    assert all(t.split("\n", 1)[1].rstrip().endswith(".") for t in texts)  # whole sentences
    assert texts[-1].endswith(WORDS.more)
    sent = " ".join(t.split("\n", 1)[1] for t in texts).replace(" " + WORDS.more, "")
    assert f"{sent} {rest}" == LONG  # nothing lost


def test_a_sentence_longer_than_a_text_is_cut_between_words():
    texts, _ = sms.split_texts("word " * 60, WORDS)
    assert all(len(t) <= 160 for t in texts)


@pytest.mark.parametrize(
    "text, meaning",
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        (" Stop. ", "stop"),
        ("unsubscribe", "stop"),
        ("QUIT", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("HELP", "help"),
        ("info", "help"),
        ("more", "more"),
        ("yes", None),
        ("stop the meeting", None),
        ("help me", None),
        ("2", None),
    ],
)
def test_keywords(text, meaning):
    assert sms.keyword(text, WORDS) == meaning


def test_the_conversation_id_is_a_keyed_hash_of_the_number():
    one = sms.conversation_id("+44 7700 900123", "key-1")
    assert one == sms.conversation_id("+447700900123", "key-1")
    assert one != sms.conversation_id("+447700900123", "key-2")
    assert "7700" not in one and one.startswith("sms-")


def test_the_first_line_may_not_say_what_the_text_is_about(tmp_path):
    path = tmp_path / "sms.yml"
    path.write_text(
        sms.SMS_PATH.read_text().replace('first_line: "Info service:"', 'first_line: "Child protection info:"')
    )
    with pytest.raises(sms.SmsConfigError, match="first_line must not say"):
        sms.load_sms_words(path)
