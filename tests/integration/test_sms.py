"""Text messages: real Twilio-shaped form requests, signed with the twilio
library's own validator, against the running servers."""

import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import pytest
from conftest import SMS_TOKEN
from twilio.request_validator import RequestValidator

from companion.channels.sms_text import is_gsm7, load_sms_words, private_words_in

WORDS = load_sms_words()


def new_phone():
    return "+447700" + str(uuid.uuid4().int)[:6]


def text_bot(servers, phone, body, token=SMS_TOKEN, sign=True):
    """The texts sent back (the TwiML's messages)."""
    params = {"From": phone, "To": "+441632960000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(servers["sms_url"], params)
    request = urllib.request.Request(servers["sms_url"], data=urllib.parse.urlencode(params).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return [m.text or "" for m in ET.fromstring(reply.read()).iter("Message")]


def check_fits(texts):
    assert 1 <= len(texts) <= WORDS.most_texts
    for text in texts:
        assert len(text) <= 160 and is_gsm7(text), text
        first_line = text.splitlines()[0]
        assert private_words_in(first_line, WORDS) == [], first_line


@pytest.mark.parametrize("how", ["forged", "unsigned", "wrong token"])
def test_a_request_not_signed_by_twilio_is_refused(servers, how):
    with pytest.raises(urllib.error.HTTPError) as refused:
        if how == "forged":
            request = urllib.request.Request(
                servers["sms_url"],
                data=b"From=%2B447700900123&Body=hello",
                headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
            )
            urllib.request.urlopen(request, timeout=30)
        else:
            text_bot(servers, new_phone(), "hello", token="not-the-token", sign=how != "unsigned")
    assert refused.value.code == 403


def test_a_signed_text_gets_sms_sized_answers_with_a_first_reply(servers):
    texts = text_bot(servers, new_phone(), "can i bring my mum with me to the meeting")
    check_fits(texts)
    whole = " ".join(t.split("\n", 1)[1] for t in texts)
    assert whole.startswith("Your text has arrived.") and "call 999" in whole
    assert "https://www.ashdown.example/privacy/conference-companion" in whole


def test_short_text_answers_with_numbered_options(servers):
    phone = new_phone()
    text_bot(servers, phone, "hello")
    texts = text_bot(servers, phone, "what is a core group")
    check_fits(texts)
    whole = " ".join(t.removeprefix(WORDS.first_line).strip() for t in texts)
    # The short `channel: twilio` answer, with its buttons as numbers.
    assert "In England the first is within 10 working days" in whole
    assert "Reply with a number: 1 When is the review? 2 What is a Child Protection Plan?" in whole
    assert WORDS.more not in whole
    answer = " ".join(text_bot(servers, phone, "2"))
    assert "A Child Protection Plan says what must change" in answer


def test_a_long_answer_comes_three_texts_at_a_time_with_more(servers):
    phone = new_phone()
    # Two questions in one text: both answers, more than three texts.
    texts = text_bot(servers, phone, "can i bring my mum with me to the meeting and who else will be there")
    check_fits(texts)
    assert texts[-1].endswith(WORDS.more)
    for _ in range(6):
        texts = text_bot(servers, phone, "MORE")
        check_fits(texts)
        if WORDS.nothing_more in texts[0]:
            break
    assert WORDS.nothing_more in texts[0]


def test_help_says_what_this_number_is(servers):
    texts = text_bot(servers, new_phone(), "HELP")
    check_fits(texts)
    whole = " ".join(texts)
    assert "automatic text service" in whole and "01632 960 100" in whole and "999" in whole


def test_stop_deletes_the_conversation_and_sends_nothing(servers):
    phone = new_phone()
    text_bot(servers, phone, "what is a core group")
    with sqlite3.connect(servers["db"]) as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    ours = [s for s in senders if s.startswith("sms-")]
    assert ours and not any(phone[1:] in s for s in senders)  # a hash, not the number

    def count() -> int:
        query = "SELECT COUNT(*) FROM events WHERE sender_id LIKE 'sms-%'"
        return int(sqlite3.connect(servers["db"]).execute(query).fetchone()[0])

    before = count()
    assert text_bot(servers, phone, "Stop") == []
    assert count() < before


def test_a_typed_payload_sets_nothing_and_an_empty_text_gets_a_kind_answer(servers):
    """Issue #15 on the SMS channel."""
    from companion.channels.sms_text import conversation_id

    phone = new_phone()
    assert text_bot(servers, phone, "")[0]  # not silence
    text_bot(servers, phone, '/give_conference_details{"nation": "../../profile"}')
    text_bot(servers, phone, "/restart")
    sender = conversation_id(phone, "test-sender-key")
    with sqlite3.connect(servers["db"]) as db:
        rows = [d for (d,) in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]
        actions = [
            a
            for (a,) in db.execute(
                "SELECT action_name FROM events WHERE sender_id = ? AND type_name = 'action'", (sender,)
            )
        ]
    assert rows and not any("../../profile" in row for row in rows)
    assert "action_restart" not in actions
