"""Clitic-aware phrase matching over a prepared document.

A phrase is matched token by token on *keys*: normalised words with the article dropped
(``الطيبة`` and ``طيبة`` share the key ``طيبه``). The first word of a phrase may carry proclitics
in the text: ``و ف ب ل ك`` and their pairs (``وب``, ``ول``, ``فب`` …), with ``لل`` read as
``ل + ال`` (``للمرصد`` -> ``المرصد``). So ``وصيدا``, ``بريف``, ``للمرصد`` and ``لـ«فرانس برس»``
all match their bare entries. A phrase word ending in ``*`` also matches the word with a common
inflection or pronoun suffix (``غارات*`` matches ``غاراتها``).

Matching is a dictionary lookup per token and clitic reading, so the cost does not grow with the
size of the lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from marsad.models import Document
from marsad.text.normalize import normalize, strip_article

T = TypeVar("T")

PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
POSSESSIVE_SUFFIXES = ("هما", "هم", "هن", "ها", "ه")  # attached pronouns (زوجته، منزلها), longest first
SUFFIXES = ("", "ه", "ها", "هم", "هما", "هن", "ا", "ت", "تا", "وا", "ان", "ين", "ون", "ات", "يه", "يا", "ي")
_HEADS_LIMIT = 200_000  # words whose phrase heads are remembered
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def word_key(word: str) -> str:
    """Matching key of one already-normalised word."""
    return strip_article(word)


def is_definite(word: str) -> bool:
    """A normalised word with the article, possibly behind a proclitic (``الضربات``, ``بالقصف``)."""
    return word.startswith(("ال", "بال", "وال", "فال", "لل", "ولل", "كال", "وبال"))


def phrase_keys(phrase: str) -> list[tuple[str, ...]]:
    """All key sequences a lexicon phrase stands for (``*`` suffixes expanded)."""
    words = _WORD.findall(normalize(phrase))
    stars = [w.endswith("*") for w in phrase.split()] if "*" in phrase else []
    seqs: list[list[str]] = [[]]
    for i, w in enumerate(words):
        forms = [word_key(w)]
        if i < len(stars) and stars[i]:
            forms = [word_key(w + s) for s in SUFFIXES]
        seqs = [[*s, f] for s in seqs for f in forms]
    return [tuple(s) for s in seqs if s]


def token_readings(word: str) -> list[tuple[int, str]]:
    """(clitic length, key) readings of a text word, the bare reading first."""
    out = [(0, word_key(word))]
    for p in PROCLITICS:
        if word.startswith(p) and len(word) - len(p) >= 2:
            rest = word[len(p) :]
            out.append((len(p), word_key(rest)))
            if p.endswith("ل") and rest.startswith("ل") and len(rest) > 2:
                out.append((len(p), word_key("ا" + rest)))
    return out


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A phrase found in a document: tokens ``first``..``last`` (exclusive), original offsets
    ``start``/``end`` without the clitic, and the payload of the lexicon entry."""

    first: int
    last: int
    start: int
    end: int
    clitic: str
    payload: T

    def text(self, doc: Document) -> str:
        return doc.text[self.start : self.end]


class PhraseMatcher(Generic[T]):
    """Finds lexicon phrases in documents; payloads are whatever the lexicon attaches."""

    def __init__(self, entries: Iterable[tuple[str, T]] = ()) -> None:
        self._index: dict[str, list[tuple[tuple[str, ...], T]]] = {}
        # per text word: its clitic readings that start some phrase (words repeat across reports)
        self._heads: dict[str, tuple[tuple[int, list[tuple[tuple[str, ...], T]]], ...]] = {}
        for phrase, payload in entries:
            self.add(phrase, payload)

    def add(self, phrase: str, payload: T) -> None:
        self._heads.clear()
        for keys in phrase_keys(phrase):
            self._index.setdefault(keys[0], []).append((keys[1:], payload))

    def __len__(self) -> int:
        return sum(len(v) for v in self._index.values())

    def find_all(self, doc: Document) -> list[Match[T]]:
        """Every match of every entry (all lengths, all payloads), in token order. Where one entry
        matches under several clitic readings the shortest clitic wins."""
        tokens = doc.tokens
        last = len(tokens)
        keys = doc.keys or tuple(word_key(t.text) for t in tokens)
        readings = doc.readings or tuple(tuple(token_readings(t.text)) for t in tokens)
        found: list[Match[T]] = []
        index = self._index
        heads_of = self._heads
        if len(heads_of) > _HEADS_LIMIT:
            heads_of.clear()
        for i in range(last):
            text = tokens[i].text
            heads = heads_of.get(text)
            if heads is None:
                heads = heads_of[text] = tuple((clitic, index[key]) for clitic, key in readings[i] if key in index)
            if not heads:
                continue  # most words start no phrase
            seen: set[tuple[int, int]] = set()
            for clitic, entries in heads:
                for rest, payload in entries:
                    n = len(rest)
                    if i + 1 + n > last or (id(payload), n) in seen:
                        continue
                    if n and keys[i + 1 : i + 1 + n] != rest:
                        continue
                    seen.add((id(payload), n))
                    tok = tokens[i]
                    start, end = doc.orig_span(tok.start + clitic, tokens[i + n].end)
                    found.append(Match(i, i + n + 1, start, end, tok.text[:clitic], payload))
        return found

    def find(self, doc: Document, first: int = 0, last: int | None = None) -> list[Match[T]]:
        """Longest match starting at each token in ``[first, last)``; overlaps are allowed
        (use ``longest_first`` to keep a non-overlapping set)."""
        tokens = doc.tokens
        last = len(tokens) if last is None else last
        keys = [word_key(t.text) for t in tokens[first:last]]
        found: list[Match[T]] = []
        index = self._index
        for i in range(first, last):
            best: tuple[int, int, T] | None = None  # (length, clitic length, payload)
            for clitic, key in token_readings(tokens[i].text):
                for rest, payload in index.get(key, ()):
                    n = len(rest)
                    if i + 1 + n > last:
                        continue
                    if any(keys[i + 1 + k - first] != rest[k] for k in range(n)):
                        continue
                    if best is None or n + 1 > best[0] or (n + 1 == best[0] and clitic < best[1]):
                        best = (n + 1, clitic, payload)
            if best is not None:
                length, clitic, payload = best
                tok = tokens[i]
                start, end = doc.orig_span(tok.start + clitic, tokens[i + length - 1].end)
                found.append(Match(i, i + length, start, end, tok.text[:clitic], payload))
        return found


def longest_first(matches: Iterable[Match[T]]) -> list[Match[T]]:
    """A non-overlapping subset, preferring longer matches, in text order."""
    chosen: list[Match[T]] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.last - m.first), m.first)):
        span = range(m.first, m.last)
        if any(t in taken for t in span):
            continue
        taken.update(span)
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.first)
