"""The number reader on our own table of number expressions (``number_cases.tsv``).

Each row is a short news-style sentence written for Marsad with one number expression in it; the
sentence goes through the path extraction takes (``prepare`` → ``Lexicons.scan`` → ``Numbers`` →
``find_casualties``) and the first casualty figure must be the expected value and qualifier
("none": no figure may be read). Rows are grouped by the form of the number (units, teens, tens,
compounds, hundreds, thousands, millions, mixed figures and words, Eastern digits, separators,
duals, vague quantities, ranges, qualifiers, dozens), each group with edge cases that must not be
read as a toll (a year, a day, a duration, a weekday …).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from marsad.extract.quantities import Numbers, find_casualties
from marsad.lang.lexicon import Lexicons
from marsad.models import RawDocument
from marsad.text.prepare import prepare

CASES = Path(__file__).with_name("number_cases.tsv")
FORMS = (
    "units", "teens", "tens", "compounds", "hundreds", "thousands", "millions", "mixed", "eastern",
    "separators", "duals", "vague", "ranges", "qualifiers", "dozen",
)  # fmt: skip
QUALIFIERS = ("exact", "more_than", "at_least", "about", "up_to")


@dataclass(frozen=True)
class Case:
    form: str
    sentence: str
    value: int | None
    qualifier: str
    note: str


def _load() -> list[Case]:
    with CASES.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    cases = []
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        value = None if row["value"] == "none" else int(row["value"])
        cases.append(Case(row["form"], row["sentence"], value, row["qualifier"], row["note"]))
    return cases


ALL = _load()


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


def _first_toll(lexicons: Lexicons, text: str) -> tuple[int | None, str]:
    doc = prepare(RawDocument("t", text))
    matches = lexicons.scan(doc)
    casualties = find_casualties(doc, matches, Numbers(doc, matches, lexicons.words))
    if not casualties:
        return None, "exact"
    first = min(casualties, key=lambda c: c.first)
    return first.value, first.qualifier


def test_table_is_well_formed() -> None:
    counts = Counter(c.form for c in ALL)
    assert set(counts) == set(FORMS)
    assert len(ALL) >= 150
    assert all(c.qualifier in QUALIFIERS for c in ALL)
    assert len({c.sentence for c in ALL}) == len(ALL), "a sentence is listed twice"
    edges = Counter(c.form for c in ALL if c.note.startswith("edge:"))
    assert set(edges) == set(FORMS), f"groups without an edge case: {set(FORMS) - set(edges)}"


@pytest.mark.parametrize("case", ALL, ids=[f"{c.form}-{k}" for k, c in enumerate(ALL)])
def test_number_expression(lexicons: Lexicons, case: Case) -> None:
    value, qualifier = _first_toll(lexicons, case.sentence)
    assert value == case.value, case.note
    if case.value is not None:
        assert qualifier == case.qualifier, case.note
