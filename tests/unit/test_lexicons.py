"""The Arabic actor, source and country lexicons load, validate and agree with each other."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from marsad.errors import LexiconError
from marsad.lang.tables import Row, arabic_phrase, int_in, lexicon_dir, one_of, read_table
from marsad.text.match import phrase_keys

ISO2 = re.compile(r"^[A-Z]{2}$")
LATIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .&'-]*$")
SOURCE_KINDS = (
    "monitor",
    "news_agency",
    "official",
    "group",
    "activist",
    "witness",
    "correspondent",
    "unspecified",
)
TEMPLATE = re.compile(r"\{(country|iso)\}")


def iso2(cell: str) -> str:
    if not ISO2.match(cell):
        raise ValueError(f"'{cell}' is not an ISO 3166-1 alpha-2 code")
    return cell


def actor_country(cell: str) -> str:
    return cell if cell == "@" else iso2(cell)


def scope(cell: str) -> frozenset[str]:
    if cell == "*":
        return frozenset({"*"})
    codes = [c.strip() for c in cell.split(",")]
    for c in codes:
        iso2(c)
    if len(set(codes)) != len(codes):
        raise ValueError(f"'{cell}' repeats a code")
    return frozenset(codes)


def phrase(cell: str) -> str:
    """Arabic, or a Latin acronym / name (``AFP``, ``SY24``)."""
    if LATIN.match(cell):
        return cell
    return arabic_phrase(cell)


def canonical(cell: str) -> str:
    for name in re.findall(r"\{([^}]*)\}", cell):
        if name not in ("country", "iso"):
            raise ValueError(f"unknown template field '{{{name}}}'")
    return cell


def load_actors(path: Path | None = None) -> list[Row]:
    return read_table(
        path or lexicon_dir() / "actors.tsv",
        ("phrase", "canonical", "inter", "country", "scope", "meaning"),
        {
            "phrase": arabic_phrase,
            "canonical": canonical,
            "inter": int_in(1, 8),
            "country": actor_country,
            "scope": scope,
        },
    )


def load_sources() -> list[Row]:
    return read_table(
        lexicon_dir() / "sources.tsv",
        ("phrase", "canonical", "kind", "meaning"),
        {"phrase": phrase, "kind": one_of(*SOURCE_KINDS)},
    )


def load_countries() -> list[Row]:
    return read_table(
        lexicon_dir() / "countries.tsv",
        ("phrase", "country", "name_en", "meaning"),
        {"phrase": arabic_phrase, "country": iso2},
    )


def keys(text: str) -> tuple[tuple[str, ...], ...]:
    """What the matcher sees of a phrase (article, hamza, ة/ه … folded)."""
    return tuple(sorted(phrase_keys(text)))


# --- loading ------------------------------------------------------------------------------


def test_actors_load() -> None:
    rows = load_actors()
    assert 150 <= len(rows) <= 400
    inters = {r["inter"] for r in rows}
    assert inters >= {1, 2, 3, 6, 7, 8}


def test_sources_load() -> None:
    rows = load_sources()
    assert len(rows) >= 80
    assert {r["kind"] for r in rows} == set(SOURCE_KINDS)


def test_countries_load() -> None:
    rows = load_countries()
    assert len(rows) >= 60


# --- consistency --------------------------------------------------------------------------


def test_actor_readings_of_one_phrase_have_disjoint_scopes() -> None:
    """The same phrase (after normalisation) may read differently only in different report
    countries; two rows that could both apply to one report would be ambiguous."""
    by_key: dict[tuple, list[Row]] = defaultdict(list)
    for r in load_actors():
        by_key[keys(str(r["phrase"]))].append(r)
    problems = []
    for rows in by_key.values():
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                sa, sb = a["scope"], b["scope"]
                assert isinstance(sa, frozenset) and isinstance(sb, frozenset)
                if sa & sb:
                    problems.append(f"lines {a.line} and {b.line}: '{a['phrase']}' / '{b['phrase']}'")
    assert not problems, problems


def test_actor_templates_use_report_country() -> None:
    for r in load_actors():
        templated = bool(TEMPLATE.search(str(r["canonical"])))
        assert templated == (r["country"] == "@") or (not templated and r["canonical"] == "Unidentified Armed Group"), (
            f"line {r.line}: '{r['canonical']}' with country {r['country']}"
        )


def test_actor_canonical_names_are_consistent() -> None:
    """One canonical name is always the same kind of actor (same inter and country)."""
    seen: dict[str, set[tuple[object, object]]] = defaultdict(set)
    for r in load_actors():
        seen[str(r["canonical"])].add((r["inter"], r["country"]))
    mixed = {name: codes for name, codes in seen.items() if len(codes) > 1}
    # Israel's and Jordan's forces are coded 1 at home and 8 abroad (ACLED practice).
    allowed = {"Military Forces of Israel", "Military Forces of Jordan"}
    assert set(mixed) <= allowed, mixed


def test_gold_canonical_names_are_spelled_as_gold() -> None:
    names = {str(r["canonical"]) for r in load_actors()}
    for expected in (
        "Military Forces of Syria",
        "Military Forces of Russia",
        "Opposition Rebels (Syria)",
        "Islamic State ({country})",
        "Houthi Movement (Ansar Allah)",
        "Saudi-led Coalition",
        "Civilians ({iso})",
        "Protesters ({country})",
        "Police Forces of Sudan",
        "Unidentified Armed Group",
        "Military Forces of Libya (2016-2021) Government of National Accord",
        "Giants Brigades (Al-Amaliqa)",
        "Counter Terrorism Service (Iraq)",
    ):
        assert expected in names


def test_sources_have_one_reading_per_phrase() -> None:
    by_key: dict[tuple, set[tuple[object, object]]] = defaultdict(set)
    for r in load_sources():
        by_key[keys(str(r["phrase"]))].add((r["canonical"], r["kind"]))
    assert not {k: v for k, v in by_key.items() if len(v) > 1}


def test_source_canonical_has_one_kind() -> None:
    kinds: dict[str, set[object]] = defaultdict(set)
    for r in load_sources():
        kinds[str(r["canonical"])].add(r["kind"])
    assert not {k: v for k, v in kinds.items() if len(v) > 1}


def test_countries_one_name_per_code_and_one_code_per_phrase() -> None:
    names: dict[object, set[object]] = defaultdict(set)
    codes: dict[tuple, set[object]] = defaultdict(set)
    for r in load_countries():
        names[r["country"]].add(r["name_en"])
        codes[keys(str(r["phrase"]))].add(r["country"])
    assert not {c: n for c, n in names.items() if len(n) > 1}
    assert not {k: c for k, c in codes.items() if len(c) > 1}


def test_no_phrase_is_listed_twice_in_a_table() -> None:
    """Clitic/article/hamza variants are handled by the matcher: listing both is noise."""
    for rows, extra in (
        (load_actors(), "scope"),
        (load_sources(), None),
        (load_countries(), None),
    ):
        seen: dict[tuple, int] = {}
        for r in rows:
            key = (keys(str(r["phrase"])), r[extra] if extra else None)
            assert key not in seen, f"line {r.line} repeats line {seen[key]} ('{r['phrase']}')"
            seen[key] = r.line


def test_actor_countries_named_in_countries_table() -> None:
    """Every ISO code an actor row names is one the country table knows (so {country} and
    report-country resolution can name it)."""
    known = {r["country"] for r in load_countries()}
    for r in load_actors():
        if r["country"] != "@":
            assert r["country"] in known, f"line {r.line}: {r['country']}"
        for code in r["scope"]:
            assert code == "*" or code in known, f"line {r.line}: scope {code}"


def test_actor_country_matches_canonical_country_name() -> None:
    """'Military Forces of Iraq' is coded IQ, not another country."""
    name_to_iso = {str(r["name_en"]): r["country"] for r in load_countries()}
    pattern = re.compile(r"^(?:Military|Police) Forces of (?:the )?(.+?)(?: \(|$)")
    for r in load_actors():
        m = pattern.match(str(r["canonical"]))
        if m and m.group(1) in name_to_iso:
            assert r["country"] == name_to_iso[m.group(1)], f"line {r.line}: {r['canonical']}"


# --- error reporting ----------------------------------------------------------------------


def test_malformed_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "actors.tsv"
    bad.write_text(
        "# comment\n"
        "phrase\tcanonical\tinter\tcountry\tscope\tmeaning\n"
        "الجيش\tMilitary Forces of {country}\t1\t@\t*\tthe army\n"
        "\n"
        "قوات النظام\tMilitary Forces of Syria\t9\tSY\tSY\tbad inter\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError) as err:
        load_actors(bad)
    assert err.value.path == str(bad)
    assert err.value.line == 5
    assert "inter" in str(err.value)


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("قوات النظام\tMilitary Forces of Syria\t1\tSY\n", "cells"),
        ("قوات النظام\tMilitary Forces of Syria\t1\tSyria\tSY\tx\n", "country"),
        ("قوات النظام\tMilitary Forces of Syria\t1\tSY\tSY,sy\tx\n", "scope"),
        ("Army\tMilitary Forces of Syria\t1\tSY\tSY\tx\n", "Arabic"),
        ("قوات النظام\t\t1\tSY\tSY\tx\n", "empty"),
    ],
)
def test_malformed_cells_are_reported(tmp_path: Path, row: str, needle: str) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("phrase\tcanonical\tinter\tcountry\tscope\tmeaning\n" + row, encoding="utf-8")
    with pytest.raises(LexiconError, match=needle) as err:
        load_actors(bad)
    assert err.value.line == 2
    assert f"{bad}:2:" in str(err.value)
