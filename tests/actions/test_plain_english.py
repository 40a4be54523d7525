"""Plain English, short, and whole on every channel (issue 18).

- Web: every variation of every response is at most 120 words before a
  "Tell me more" (the rest is utter_<name>_more), not counting the closing
  "Source: ..." line, and reads at grade 6 or lower on the Flesch-Kincaid
  grade level (textstat.flesch_kincaid_grade). A list item is read as a
  sentence of its own (a full stop is added where it has none).
- SMS: the variation Rasa sends by text, for every slot state, fits two
  160-character GSM-7 texts as companion/channels/sms_text.py cuts them;
  with its numbered options it still fits the texts sent at once, so 999 is
  never behind MORE; the greeting with the first-contact privacy note fits
  two texts.
Each test prints the whole list of failures.
"""

import re

import textstat
from answer_selection import DOMAIN, chosen, filled, slot_states

from actions.jargon import glossary_part
from actions.profile import current_profile
from companion.channels import sms_text

MOST_WORDS = 120
MOST_GRADE = 6.0
MEASURE = textstat.flesch_kincaid_grade
STATES = slot_states()
SMS = sms_text.load_sms_words()


def web_variations():
    """(name, text) for every web variation, placeholders filled as the example profile fills them."""
    full = STATES["england"]
    for name, variations in sorted(DOMAIN["responses"].items()):
        for variation in variations:
            if variation.get("channel") is None:
                yield name, variation, filled(variation["text"], full)


def body(text):
    """What is read: without the source line, each line a sentence."""
    lines = [line.strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line and not line.startswith("Source: ")]
    return " ".join(line if line[-1] in ".?!:" else line + "." for line in lines)


def test_every_web_answer_is_at_most_120_words_before_tell_me_more():
    long = [
        (name, len(body(text).split())) for name, _, text in web_variations() if len(body(text).split()) > MOST_WORDS
    ]
    print("\n".join(f"{name}: {words} words" for name, words in long))
    assert long == []


def test_every_web_answer_reads_at_grade_6_or_lower():
    hard = [(name, MEASURE(body(text))) for name, _, text in web_variations() if MEASURE(body(text)) > MOST_GRADE]
    print("\n".join(f"{name}: Flesch-Kincaid grade {grade}" for name, grade in hard))
    assert hard == []


def glossary_parts():
    part = 1
    while glossary_part(part):
        yield part, glossary_part(part)[0]
        part += 1


def test_each_part_of_the_whole_glossary_is_short_and_plain():
    wrong = [
        (part, len(body(text).split()), MEASURE(body(text)))
        for part, text in glossary_parts()
        if len(body(text).split()) > MOST_WORDS or MEASURE(body(text)) > MOST_GRADE
    ]
    print("\n".join(f"glossary part {p}: {w} words, Flesch-Kincaid grade {g}" for p, w, g in wrong))
    assert wrong == []


def test_the_measure_can_fail():
    hard = (
        "Notwithstanding the aforementioned considerations, the multi-agency safeguarding partnership "
        "determined that comprehensive interdisciplinary assessment was indispensable."
    )
    assert MEASURE(hard) > MOST_GRADE
    assert MEASURE("You can bring a friend. They sit with you.") <= MOST_GRADE


def test_tell_me_more_buttons_lead_to_the_rest():
    wrong = []
    for name, variation, _ in web_variations():
        for button in variation.get("buttons", []):
            match = re.match(r'^/tell_me_more\{"more_topic":"(\w+)"\}$', button["payload"])
            if button["payload"].startswith("/tell_me_more") and (
                not match
                or f"utter_{match.group(1)}_more" not in DOMAIN["responses"]
                or f"utter_{match.group(1)}" != name
            ):
                wrong.append((name, button["payload"]))
    assert wrong == []


def sms_texts(text, options=()):
    words = SMS
    message = {"text": text, "buttons": [{"title": t, "payload": "/x"} for t in options]}
    flat, _ = sms_text.flatten([message], words)
    return sms_text.split_texts(flat, words)


def sms_answers():
    for name in sorted(DOMAIN["responses"]):
        for state, slots in STATES.items():
            variation = chosen(name, "twilio", slots)
            yield name, state, filled(variation["text"], slots), [b["title"] for b in variation.get("buttons", [])]


def test_every_answer_fits_two_texts_by_sms():
    over = []
    for name, state, text, _ in sms_answers():
        texts, rest = sms_texts(text)
        if len(texts) > 2 or rest:
            over.append((name, state, len(texts), len(text)))
    print("\n".join(f"{n} ({s}): {t} texts, {c} characters" for n, s, t, c in over))
    assert over == []


def test_999_is_never_behind_more_and_options_fit():
    behind = []
    for name, state, text, options in sms_answers():
        texts, rest = sms_texts(text, options)
        if rest or ("999" in text and "999" not in "".join(texts)):
            behind.append((name, state))
    assert behind == []


def test_the_greeting_and_privacy_note_fit_two_texts():
    profile = current_profile()
    first = SMS.first_reply.format(privacy_url=profile.privacy_notice_url or "")
    for state, slots in STATES.items():
        greeting = filled(chosen("utter_greet", "twilio", slots)["text"], slots)
        texts, rest = sms_texts(first + "\n\n" + greeting)
        assert len(texts) <= 2 and not rest, (state, texts, rest)
        assert "999" in greeting


def test_the_sms_check_can_fail():
    texts, rest = sms_texts("A sentence of some length. " * 20)
    assert len(texts) > 2 or rest
