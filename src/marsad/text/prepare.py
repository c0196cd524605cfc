"""The prepare stage: normalise once, tokenise, split sentences, mark page residue.

Sentences end at ``. ! ? ؟ ؛`` and at line breaks, also where a full stop touches the next word
(``(الخميس).وأحصى``), but not inside a number (``9.75``). A trailing share-widget line such as
``مشاركة :`` is page residue: it is kept in ``text`` (offsets stay valid) but no sentence covers it.
"""

from __future__ import annotations

import re

from marsad.models import Document, RawDocument, Sentence, Token
from marsad.text.match import token_readings, word_key
from marsad.text.normalize import normalize_with_offsets

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_SENT_END = re.compile(r"(?<!\d)[.!?؟؛]+(?!\d)|\.(?=\D)|\n+")
_RESIDUE_LINE = re.compile(
    r"^\s*(?:مشاركه|شارك|شارك المقال|اقرا ايضا|اقرا المزيد|تابعونا|تابعنا|share|print|طباعه)\s*[:：]?\s*$"
)


def _body_end(norm: str) -> int:
    """Normalised offset where trailing page residue starts (``len(norm)`` when there is none)."""
    end = len(norm)
    while True:
        head = norm.rstrip()[:end]
        cut = head.rfind("\n")
        last_line = head[cut + 1 :]
        if last_line.strip() and _RESIDUE_LINE.match(last_line):
            end = max(cut, 0)
            if cut < 0:
                return 0
            continue
        return end


class WordCache:
    """The matching key and clitic readings of each word seen, shared by the documents one
    pipeline prepares (reports repeat most of their vocabulary). Bounded: emptied when full."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._words: dict[str, tuple[str, tuple[tuple[int, str], ...]]] = {}

    def get(self, word: str) -> tuple[str, tuple[tuple[int, str], ...]]:
        found = self._words.get(word)
        if found is None:
            if len(self._words) >= self.limit:
                self._words.clear()
            found = self._words[word] = (word_key(word), tuple(token_readings(word)))
        return found


def prepare(raw: RawDocument, words: WordCache | None = None) -> Document:
    """Turn a raw report into a ``Document`` (pure; no I/O). ``words`` caches each word's
    readings across documents (the result is the same with or without it)."""
    norm, offsets = normalize_with_offsets(raw.text)
    body = _body_end(norm)
    tokens = tuple(Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm, 0, body))

    sentences: list[Sentence] = []
    boundaries = [m.end() for m in _SENT_END.finditer(norm, 0, body)] + [body]
    start = 0
    ti = 0
    n = len(tokens)
    for b in boundaries:
        if b <= start:
            continue
        first = ti
        while ti < n and tokens[ti].start < b:
            ti += 1
        if ti > first:
            # trim the sentence to its first and last token (drop leading spaces and quotes)
            s0 = offsets[tokens[first].start]
            s1 = _extend_to_punct(norm, tokens[ti - 1].end, b)
            sentences.append(Sentence(s0, offsets[s1 - 1] + 1, first, ti))
        start = b
    body_end = offsets[body] if body < len(norm) else len(raw.text)
    token_sentence = [0] * len(tokens)
    for k, sent in enumerate(sentences):
        for t in range(sent.first_token, sent.last_token):
            token_sentence[t] = k
    cache = words or WordCache()
    looked_up = [cache.get(t.text) for t in tokens]
    return Document(
        raw,
        norm,
        tuple(offsets),
        tokens,
        tuple(sentences),
        body_end,
        keys=tuple(k for k, _ in looked_up),
        readings=tuple(r for _, r in looked_up),
        token_sentence=tuple(token_sentence),
    )


def _extend_to_punct(norm: str, end: int, limit: int) -> int:
    """Let a sentence keep its closing quote/bracket and full stop."""
    while end < limit and norm[end] in "\"'»”)]}.!?؟؛ ":
        end += 1
    while end > 0 and norm[end - 1] == " ":
        end -= 1
    return end
