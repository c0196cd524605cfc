"""Arabic normalisation for matching, with a map back to the original offsets.

``normalize_with_offsets("وأحصى")`` returns ``("واحصي", [0, 1, 2, 3, 4, 5])``: one output
character per kept input character, and for each the index of the character it came from.
Folded: hamza/madda alef forms to ``ا``, ``ة`` to ``ه``, ``ى`` to ``ي``, ``ؤ`` to ``و``, ``ئ`` to
``ي``, Persian ``ک``/``ی`` to Arabic, Eastern Arabic and Persian digits to ASCII, Latin to lower
case, no-break and odd spaces to a space. Dropped: diacritics (harakat, shadda, sukun, dagger alef),
tatweel and invisible marks (ZWJ, ZWNJ, LRM, RLM, BOM).

``normalize`` is idempotent: ``normalize(normalize(s)) == normalize(s)``.
"""

from __future__ import annotations

import re

_DROP = {chr(c) for c in range(0x064B, 0x0660)} | {chr(c) for c in range(0x0610, 0x061B)}
_DROP |= {chr(c) for c in range(0x06D6, 0x06EE)} | {"\u0670", "\u0640"}
_DROP |= {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u061c", "\u202a", "\u202b"}
_DROP |= {"\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}

_FOLD: dict[str, str] = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ة": "ه",
    "ۃ": "ه",
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ؤ": "و",
    "ئ": "ي",
    "ک": "ك",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\t": " ",
}
for _i in range(10):
    _FOLD[chr(0x0660 + _i)] = str(_i)
    _FOLD[chr(0x06F0 + _i)] = str(_i)


def _fold_char(ch: str) -> str:
    folded = _FOLD.get(ch)
    if folded is not None:
        return folded
    low = ch.lower()
    return low if len(low) == 1 else ch  # keep one output character per input character


_TABLE: dict[int, str | None] = {ord(k): v for k, v in _FOLD.items()}
_TABLE.update({ord(c): None for c in _DROP})


def normalize(text: str) -> str:
    """Fold a string for matching (no offsets). Fast path for lexicons and keys."""
    return _lower(text.translate(_TABLE))


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(_fold_char(ch) for ch in text)  # a character whose lower case is longer (İ)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and return it with ``offsets``: ``offsets[i]`` is the original index of
    output character ``i``; a final entry ``len(text)`` closes the map."""
    folded = text.translate(_TABLE)
    if len(folded) == len(text):
        offsets = list(range(len(text) + 1))
    else:
        drop = _DROP
        offsets = [i for i, ch in enumerate(text) if ch not in drop]
        offsets.append(len(text))
    return _lower(folded), offsets


_ARTICLE = re.compile(r"^(?:ال|لل)")


def strip_article(word: str) -> str:
    """``الطيبه`` -> ``طيبه``; leaves short words (``الا``) alone."""
    if len(word) > 4 and word.startswith("ال"):
        return word[2:]
    return word


def fold_final_hamza(word: str) -> str:
    """Place names are spelt with and without a final hamza after alef (``صنعاء``/``صنعا``,
    ``التحيتاء``/``التحيتا``): name keys drop it. Only for names — in ordinary words it
    distinguishes (``إنهاء``/``إنها``)."""
    if len(word) > 3 and word.endswith("اء"):
        return word[:-1]
    return word


def key_word(word: str) -> str:
    """Matching form of one word of a name: final hamza folded, article dropped."""
    return strip_article(fold_final_hamza(word))


def name_key(name: str) -> str:
    """The matching key of a place or entity name: normalised, article dropped on every word,
    punctuation and hyphens folded to single spaces. ``بصرى الشام`` -> ``بصري شام``."""
    t = normalize(name)
    t = re.sub(r"[^\w\s]|_", " ", t)
    return " ".join(key_word(w) for w in t.split())
