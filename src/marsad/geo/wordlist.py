"""Arabic words that cannot be a place name on their own: can a word after a cue be a name?

A cue word (``منطقة``، ``بلدة``، ``حي`` …) is followed by a name often enough that Marsad keeps an
unknown word after it as a place without coordinates. But the word after a cue is not always a
name: ``يسيطر`` (a verb), ``هي`` (a pronoun), ``إشارة`` (a common noun). This module answers the
question from a real dictionary rather than a hand list grown report by report: the Arramooz
Arabic dictionary (package ``arramooz-pysqlite``, its ``arabicdictionary.sqlite`` and
``stopwords.sqlite``): 13,000 inflected pronouns, particles and function words, 9,700 verbs
(matched through their usual prefixes and suffixes: ``يسيطرون`` = ي + سيطر + ون) and 25,000
common nouns (proper nouns — ``علم مكان``, ``اسم علم`` — excluded).

The package is optional and not a dependency (it is GPL-licensed): without it (``CommonWords.load``
finds no dictionary), the dictionary tests below answer False. Only words that the gazetteer does
not know are judged: ``تدمر`` or ``حلب`` are names whatever the dictionary says.

Always available: how common a word is in general Arabic text (``zipf``), from the packaged
``lang/ar/word_frequency.tsv`` (wordfreq's Arabic list, CC BY-SA 4.0; ``tools/word_frequency.py``
regenerates it). A word as common as ``اليوم``، ``محطة`` or ``أكد`` that also names a hamlet is
the word far more often than the hamlet.
"""

from __future__ import annotations

import importlib.util
import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from marsad.lang.tables import lexicon_dir
from marsad.text.normalize import normalize

log = logging.getLogger(__name__)

_CONJUNCTIONS = ("و", "ف")
_FUTURE = "س"
_IMPERFECT = ("ي", "ت", "ن", "ا")
_VERB_SUFFIXES = ("ون", "ان", "وا", "ين", "تم", "نا", "تا", "ت", "ن", "ها", "هم", "كم", "ني")  # not "ه": ة folds to it


@dataclass(frozen=True, slots=True)
class CommonWords:
    """Normalised Arabic word sets; ``source`` names where they came from ("" when empty)."""

    stopwords: frozenset[str]
    verbs: frozenset[str]
    nouns: frozenset[str]
    source: str = ""
    frequency: Mapping[str, float] = field(default_factory=dict)  # normalised word -> Zipf frequency

    @classmethod
    def empty(cls) -> CommonWords:
        return cls(frozenset(), frozenset(), frozenset())

    @classmethod
    def load(cls, folder: Path | None = None) -> CommonWords:
        """The word frequencies, and the Arramooz dictionary from ``folder`` (default: the
        installed package's data) when there is one."""
        frequency = word_frequency()
        if folder is None:
            spec = importlib.util.find_spec("arramooz")
            if spec is None or not spec.submodule_search_locations:
                log.info("arramooz is not installed: unknown names after a cue are judged without its dictionary")
                return cls(frozenset(), frozenset(), frozenset(), "", frequency)
            folder = Path(next(iter(spec.submodule_search_locations))) / "data"
        try:
            with sqlite3.connect(f"{(folder / 'arabicdictionary.sqlite').resolve().as_uri()}?mode=ro", uri=True) as d:
                verbs = {normalize(r[0]) for r in d.execute("SELECT unvocalized FROM verbs")}
                nouns = {
                    normalize(r[0])
                    for r in d.execute("SELECT unvocalized, wordtype FROM nouns")
                    if "علم" not in (r[1] or "")  # proper nouns (places, people) can be names
                }
            with sqlite3.connect(f"{(folder / 'stopwords.sqlite').resolve().as_uri()}?mode=ro", uri=True) as s:
                stops = {normalize(r[0]) for r in s.execute("SELECT UNVOCALIZED FROM STOPWORDS")}
        except sqlite3.Error as exc:
            log.warning("cannot read the Arramooz dictionary in %s: %s", folder, exc)
            return cls(frozenset(), frozenset(), frozenset(), "", frequency)
        verbs_ = frozenset(v for v in verbs if len(v) >= 3)
        return cls(frozenset(stops), verbs_, frozenset(nouns), "arramooz", frequency)

    def __len__(self) -> int:
        return len(self.stopwords) + len(self.verbs) + len(self.nouns)

    def zipf(self, word: str) -> float:
        """How common ``word`` is in general Arabic text: log10 of its occurrences per billion
        words (``اليوم`` 6.2, ``محطة`` 5.0, ``حلب`` 4.9, ``سراقب`` 2.9); 0 below 3.5 or unknown."""
        return self.frequency.get(normalize(word), 0.0)

    def is_function_word(self, word: str) -> bool:
        """A pronoun, particle, preposition or other function word (with its clitics)."""
        return word in self.stopwords

    def is_verb(self, word: str) -> bool:
        """A verb form: the lemma itself, or behind the usual conjunction, future, imperfect
        prefixes and subject/object suffixes."""
        if not self.verbs:
            return False
        return any(stem in self.verbs for stem in _verb_stems(word))

    def is_common_noun(self, word: str) -> bool:
        """An indefinite common noun of the dictionary (definite forms can be names: الخيام)."""
        return not word.startswith("ال") and word in self.nouns

    def cannot_be_name(self, word: str) -> bool:
        """A verb form, a function word or an indefinite common noun: not a name on its own."""
        return self.is_function_word(word) or self.is_verb(word) or self.is_common_noun(word)


def _verb_stems(word: str) -> set[str]:
    forms = {word}
    for c in _CONJUNCTIONS:
        if word.startswith(c) and len(word) > 3:
            forms.add(word[1:])
    for f in list(forms):
        if f.startswith(_FUTURE) and len(f) > 4 and f[1] in _IMPERFECT:
            forms.add(f[1:])
    for f in list(forms):
        if f[:1] in _IMPERFECT and len(f) > 2:
            forms.add(f[1:])
            forms.add("و" + f[1:])  # assimilated verbs lose their waw: يقع = ي + (و)قع
    for f in list(forms):
        for suffix in _VERB_SUFFIXES:
            if f.endswith(suffix) and len(f) - len(suffix) >= 3:
                forms.add(f[: -len(suffix)])
    return {f for f in forms if len(f) >= 3}


@cache
def word_frequency() -> Mapping[str, float]:
    """The packaged Zipf frequencies (``lang/ar/word_frequency.tsv``), read once per process."""
    path = lexicon_dir("ar") / "word_frequency.tsv"
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("word\t"):
                continue
            word, _, zipf = line.rstrip("\n").partition("\t")
            table[word] = float(zipf)
    return table
