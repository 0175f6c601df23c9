"""Language rules for intake, read from ``lang/<code>.toml`` (one file per language).

A new language is a new file: month names, weekday and relative-day words,
number words, casualty verbs, actor aliases and stance cues all live there.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANG_DIR = Path(__file__).with_name("lang")
# characters that end a word in scripts without \w-friendly boundaries (Bengali vowel signs, ZWNJ)
_BOUNDARY = r"\s.,;:!?()\[\]«»\"“”„'’‘،؛।\-–—/|"


def available_languages() -> tuple[str, ...]:
    """Codes of the languages that have a rules file."""
    return tuple(sorted(p.stem for p in LANG_DIR.glob("*.toml")))


@dataclass(frozen=True)
class Lang:
    """One language's rules, with helpers to find its words in text.

    Terms match at a word start and may go on (stems: "neutrali" finds "neutralised"); a term
    ending in "$" must end the word.
    """

    code: str
    data: dict[str, Any]
    word_boundaries: bool = True
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def table(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    def words(self, section: str, key: str) -> list[str]:
        return list(self.data.get(section, {}).get(key, []))

    def pattern(self, terms: list[str] | tuple[str, ...], whole: bool = False) -> re.Pattern[str] | None:
        """A regex finding any of ``terms``; at word starts (stems) unless ``whole`` words."""
        key = f"{whole}|" + "\x00".join(terms)
        if key in self._cache:
            return self._cache[key]
        ordered = sorted({t for t in terms if t}, key=len, reverse=True)
        if not ordered:
            self._cache[key] = None
            return None
        # a term ending in "$" is a whole word ("dead$" is not "deadly"); others are stems
        body = "|".join(re.escape(t[:-1]) + r"(?!\w)" if t.endswith("$") else re.escape(t) for t in ordered)
        if self.word_boundaries or whole:
            left = rf"(?<![^{_BOUNDARY}])" if not self.word_boundaries else r"(?<!\w)"
            right = (rf"(?![^{_BOUNDARY}])" if not self.word_boundaries else r"(?!\w)") if whole else ""
            regex = re.compile(f"{left}(?:{body}){right}", re.IGNORECASE)
        else:
            regex = re.compile(f"(?:{body})", re.IGNORECASE)
        self._cache[key] = regex
        return regex

    def find(self, text: str, terms: list[str] | tuple[str, ...], whole: bool = False) -> list[re.Match[str]]:
        regex = self.pattern(list(terms), whole)
        return list(regex.finditer(text)) if regex else []

    def has(self, text: str, terms: list[str] | tuple[str, ...]) -> bool:
        regex = self.pattern(list(terms))
        return bool(regex and regex.search(text))


@functools.lru_cache(maxsize=16)
def load_lang(code: str) -> Lang:
    """The rules of language ``code`` (ValueError naming the known codes if there is no file)."""
    path = LANG_DIR / f"{code}.toml"
    if not re.fullmatch(r"[a-z]{2,3}", code or "") or not path.exists():
        raise ValueError(f"no intake rules for language {code!r}; known: {', '.join(available_languages())}")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return Lang(code=code, data=data, word_boundaries=bool(data.get("word_boundaries", True)))
