"""Parents' own words, put into the words the classifier was trained on.

"the SW said we r on a plan" becomes "the social worker said we are on a
child protection plan" before the message is classified. The table is data
(content/parent_words.yml); this module only reads it and replaces whole
words and phrases, longest first, in one pass (so a replacement is never
replaced again). Case is ignored; the rest of the message is left as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, Mapping

import yaml

from companion.paths import CONTENT_DIR

WORDS_PATH = CONTENT_DIR / "parent_words.yml"


class ParentWordsError(ValueError):
    """content/parent_words.yml is missing or malformed."""


class ParentWords:
    def __init__(self, table: Mapping[str, Iterable[str]], keep: Iterable[str] = ()) -> None:
        self._replace: Dict[str, str] = {}
        for canonical, variants in table.items():
            canonical = " ".join(str(canonical).split())
            if not canonical or isinstance(variants, str) or not isinstance(variants, Iterable):
                raise ParentWordsError(f"parent words: {canonical!r} needs a list of words")
            # A canonical phrase stands for itself, so "social worker" is not
            # read as "social" + "worker".
            for phrase in [canonical, *variants]:
                key = " ".join(str(phrase).lower().split())
                if not key:
                    raise ParentWordsError(f"parent words: an empty word under {canonical!r}")
                if key in self._replace and self._replace[key] != canonical and key != canonical:
                    raise ParentWordsError(
                        f"parent words: {key!r} is listed under {self._replace[key]!r} and {canonical!r}"
                    )
                self._replace.setdefault(key, canonical)
        for phrase in keep:
            key = " ".join(str(phrase).lower().split())
            self._replace[key] = key
        phrases = sorted(self._replace, key=len, reverse=True)
        # Whole words: no letter or digit on either side ("u" in "bus" stays).
        # Spaces inside a phrase match any run of spaces.
        pattern = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)
        self._pattern = re.compile(rf"(?<![\w'])(?:{pattern})(?![\w'])", re.IGNORECASE)

    @classmethod
    def load(cls, path: str | Path = WORDS_PATH) -> ParentWords:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise ParentWordsError(f"{path}: {error}") from None
        if not isinstance(data, Mapping) or not isinstance(data.get("words"), Mapping):
            raise ParentWordsError(f"{path}: needs a `words:` table")
        return cls(data["words"], data.get("keep") or ())

    def normalise(self, text: str) -> str:
        if not text:
            return text or ""
        return self._pattern.sub(lambda hit: self._replace[" ".join(hit.group(0).lower().split())], text)
