"""A message cut into sentence-sized pieces, as character spans.

Plain Python. The safety net reads a long message piece by piece, so that
danger in the middle of 150 words is not averaged away: sentences end at
. ! ? or a new line, and a piece with no such end (text-speak often has
none) is cut into overlapping windows of words. `distinct_spans` is the walk
the example bank and the reader share: each different piece once (as
`piece_text` reads it), clauses too when asked, up to a maximum.
"""

from __future__ import annotations

import re
from typing import List, Tuple

Span = Tuple[int, int]
_ENDS = re.compile(r"[^.!?\n]+[.!?]*", re.UNICODE)
_WORD = re.compile(r"\S+")


def sentence_spans(text: str, most_words: int = 30, overlap: int = 10) -> List[Span]:
    """(start, end) of each sentence of ``text`` with a letter or digit in it;
    a sentence of more than ``most_words`` words becomes windows of that many
    words, each sharing ``overlap`` words with the one before."""
    if most_words < 1 or not 0 <= overlap < most_words:
        raise ValueError("most_words must be above 0 and overlap below it")
    spans: List[Span] = []
    for sentence in _ENDS.finditer(text or ""):
        words = list(_WORD.finditer(sentence.group()))
        if not any(re.search(r"\w", w.group()) for w in words):
            continue
        base = sentence.start()
        step = most_words - overlap
        first = 0
        while True:
            window = words[first : first + most_words]
            spans.append((base + window[0].start(), base + window[-1].end()))
            if first + most_words >= len(words):
                break
            first += step
    return spans


# Where one clause of a sentence ends and the next begins: a comma, a
# semicolon or a dash, or a joining word ("and", "but", "so", "because").
_CLAUSE_BREAK = re.compile(
    r"\s*[,;:]\s*|\s+[-–—]+\s+|\s+(?=(?:and|but|so|because|cos|coz|cause|though|although|then|or|n)\s)",
    re.IGNORECASE,
)


def clause_spans(text: str, start: int = 0, end: int | None = None) -> List[Span]:
    """(start, end) of each clause of ``text[start:end]`` (a sentence), in
    ``text``'s characters: the pieces between commas, semicolons, dashes and
    joining words, each keeping its joining word ("but he has a knife")."""
    end = len(text or "") if end is None else end
    spans: List[Span] = []
    at = start
    for found in _CLAUSE_BREAK.finditer(text or "", start, end):
        if found.start() > at:
            spans.append((at, found.start()))
        at = found.end()
    if end > at:
        spans.append((at, end))
    return [(a, b) for a, b in spans if re.search(r"\w", text[a:b])]


def piece_text(text: str, span: Span) -> str:
    """A piece of ``text`` as the sentence model reads it: stripped, lower case."""
    return text[span[0] : span[1]].strip().lower()


def distinct_spans(text: str, most: int, clauses: bool = False, clause_words: int = 3) -> List[Span]:
    """The first ``most`` different pieces of ``text`` (by `piece_text`):
    each sentence and, with ``clauses``, each clause of at least
    ``clause_words`` words of a sentence of several clauses, after its
    sentence. A piece seen before (the same words, another case) is not
    read again."""
    seen: set[str] = set()
    found: List[Span] = []
    if most < 1:
        return found
    for start, end in sentence_spans(text or ""):
        candidates = [(start, end)]
        if clauses:
            parts = clause_spans(text, start, end)
            if len(parts) > 1:
                candidates += [(a, b) for a, b in parts if len(text[a:b].split()) >= clause_words]
        for span in candidates:
            key = piece_text(text, span)
            if key and key not in seen:
                seen.add(key)
                found.append(span)
                if len(found) == most:
                    return found
    return found
