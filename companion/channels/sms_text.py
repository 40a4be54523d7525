"""Turning the bot's answers into text messages, and text messages into input.

Plain Python (no Rasa imports), used by the SMS channel:
- characters that would force the costly UCS-2 encoding (curly quotes,
  dashes, bullets) are replaced by GSM-7 ones;
- buttons become numbered options, and a reply of "1" picks the first;
- a long answer is cut at sentence ends into texts of at most 160 GSM-7
  characters, each starting with a neutral first line (what a locked phone
  shows), at most `most_texts` of them, with "Reply MORE" for the rest;
- STOP, START and HELP are recognised as UK mobile users and Twilio use them;
- the phone number becomes a keyed hash before it is used as the
  conversation's id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from companion.paths import CONTENT_DIR
from companion.yaml_file import read_mapping

SMS_PATH = CONTENT_DIR / "sms.yml"
SEGMENT = 160

# GSM 03.38: the basic set counts 1, the extension set 2 (escape + char).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€")
_PLAIN = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2022": "-",
    "\u2122": "TM",
    "\t": " ",
}


class SmsConfigError(ValueError):
    """content/sms.yml is missing or has a bad entry."""


@dataclass(frozen=True)
class SmsWords:
    first_line: str
    private_words: Tuple[str, ...]
    most_texts: int
    more: str
    nothing_more: str
    options_intro: str
    stop_words: Tuple[str, ...]
    start_words: Tuple[str, ...]
    help_words: Tuple[str, ...]
    help: str
    started: str
    first_reply: str


def load_sms_words(path: Path = SMS_PATH) -> SmsWords:
    data = read_mapping(path, SmsConfigError)
    values: Dict[str, Any] = {}
    for name, kind in SmsWords.__annotations__.items():
        value = data.get(name)
        if kind.startswith("Tuple"):
            if not isinstance(value, list) or not value:
                raise SmsConfigError(f"{path}: {name} should be a list")
            value = tuple(str(v) for v in value)
        elif kind == "int":
            if not isinstance(value, int) or value < 1:
                raise SmsConfigError(f"{path}: {name} should be a whole number above 0")
        elif not isinstance(value, str) or not value.strip():
            raise SmsConfigError(f"{path}: {name} is missing")
        values[name] = value.strip() if isinstance(value, str) else value
    words = SmsWords(**values)
    if private_words_in(words.first_line, words):
        raise SmsConfigError(f"{path}: first_line must not say what the text is about")
    return words


def private_words_in(line: str, words: SmsWords) -> List[str]:
    lowered = line.lower()
    return [w for w in words.private_words if re.search(rf"\b{re.escape(w.lower())}\b", lowered)]


# ------------------------------------------------------------------ encoding
def to_gsm(text: str) -> str:
    """The text with look-alike GSM-7 characters where Unicode would force UCS-2."""
    return "".join(_PLAIN.get(ch, ch) for ch in text)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def gsm_length(text: str) -> int:
    """Length in GSM-7 septets (extension characters count twice)."""
    return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)


# ------------------------------------------------------------ the bot's turn
def flatten(messages: Sequence[Dict[str, Any]], words: SmsWords) -> Tuple[str, List[str]]:
    """The turn's text, with the last buttons as numbered options, and their payloads."""
    texts, buttons = [], []
    for message in messages:
        if message.get("text"):
            texts.append(message["text"].strip())
        if message.get("buttons"):
            buttons = message["buttons"]
    text = "\n\n".join(texts)
    if buttons:
        options = "\n".join(f"{n} {b['title']}" for n, b in enumerate(buttons, 1))
        text += f"\n\n{words.options_intro}\n{options}"
    return to_gsm(text), [b["payload"] for b in buttons]


def _pieces(text: str) -> List[str]:
    """Sentences (and list items), the units a text may be cut between."""
    parts = []
    for paragraph in re.split(r"\n\s*\n", text):
        for line in paragraph.split("\n"):
            parts += [p for p in re.split(r"(?<=[.!?])\s+", line.strip()) if p]
    return parts


def _fit(piece: str, room: int) -> List[str]:
    """A sentence longer than a text is cut between words."""
    out, current = [], ""
    for word in piece.split(" "):
        candidate = f"{current} {word}".strip()
        if gsm_length(candidate) <= room:
            current = candidate
        else:
            if current:
                out.append(current)
            current = word[:room]
    return out + ([current] if current else [])


def split_texts(text: str, words: SmsWords) -> Tuple[List[str], str]:
    """(texts to send now, what is left for MORE). Each text fits one SMS."""
    header = words.first_line + "\n"
    room = SEGMENT - gsm_length(header)
    pieces: List[str] = []
    for piece in _pieces(text):
        pieces += _fit(piece, room) if gsm_length(piece) > room else [piece]
    bodies, current = [], ""
    for piece in pieces:
        candidate = f"{current} {piece}".strip()
        if gsm_length(candidate) <= room:
            current = candidate
        else:
            bodies.append(current)
            current = piece
    if current:
        bodies.append(current)
    if len(bodies) <= words.most_texts:
        return [header + b for b in bodies], ""
    # Keep room for "Reply MORE" in the last text sent now.
    sent = bodies[: words.most_texts]
    rest = bodies[words.most_texts :]
    while gsm_length(f"{sent[-1]} {words.more}") > room:
        last_pieces = _pieces(sent[-1])
        if len(last_pieces) > 1:
            sent[-1] = " ".join(last_pieces[:-1])
            rest.insert(0, last_pieces[-1])
        else:
            fitted = _fit(sent[-1], room - gsm_length(words.more) - 1)
            sent[-1], moved = fitted[0], " ".join(fitted[1:])
            rest.insert(0, moved)
    sent[-1] = f"{sent[-1]} {words.more}"
    return [header + b for b in sent], " ".join(rest)


# ----------------------------------------------------------- the parent's text
def keyword(text: str, words: SmsWords) -> str | None:
    """'stop', 'start', 'help' or 'more' when the whole text is that keyword."""
    word = re.sub(r"[^A-Za-z]", "", text or "").upper()
    if word in words.stop_words:
        return "stop"
    if word in words.start_words:
        return "start"
    if word in words.help_words:
        return "help"
    if word == "MORE":
        return "more"
    return None


def chosen_option(text: str, payloads: Sequence[str]) -> str | None:
    """The payload of option N when the text is just N."""
    match = re.fullmatch(r"\s*([0-9]{1,2})[.)]?\s*", text or "")
    if match and 1 <= int(match.group(1)) <= len(payloads):
        return payloads[int(match.group(1)) - 1]
    return None


def conversation_id(phone: str, key: str) -> str:
    """A keyed hash of the phone number: the same for one phone, unreadable without the key."""
    digest = hmac.new(key.encode(), re.sub(r"\s", "", phone).encode(), hashlib.sha256).hexdigest()
    return "sms-" + digest[:32]
