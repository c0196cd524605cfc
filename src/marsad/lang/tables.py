"""Reading lexicon tables: tab-separated files with a header, ``#`` comments and a ``meaning``
column that says what each entry is for.

A table is validated as it is read: wrong column count, an empty required cell, or a value a
column's checker refuses raises ``LexiconError`` naming the file and the line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from marsad.errors import LexiconError

Checker = Callable[[str], object]
"""Turns a cell into a value, or raises ``ValueError`` with a message."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: Mapping[str, object]

    def __getitem__(self, key: str) -> object:
        return self.values[key]


def lexicon_dir(language: str = "ar") -> Path:
    """The folder of the packaged lexicons for a language."""
    return Path(str(resources.files("marsad.lang") / language))


def read_table(
    path: Path,
    columns: Sequence[str],
    checkers: Mapping[str, Checker] | None = None,
    optional: Sequence[str] = (),
) -> list[Row]:
    """Read ``path``; its header must name exactly ``columns`` (in any order).

    Cells of columns in ``optional`` may be empty (they become ``""`` before checking)."""
    checkers = checkers or {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise LexiconError(str(path), 0, "lexicon file not found") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(str(path), 0, f"not UTF-8 ({exc.reason})") from None
    header: list[str] | None = None
    rows: list[Row] = []
    for number, line in _content_lines(lines):
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = cells
            missing = [c for c in columns if c not in header]
            extra = [c for c in header if c not in columns]
            if missing or extra:
                raise LexiconError(
                    str(path), number, f"header must name columns {list(columns)}; missing {missing}, unknown {extra}"
                )
            continue
        if len(cells) != len(header):
            raise LexiconError(str(path), number, f"expected {len(header)} tab-separated cells, found {len(cells)}")
        values: dict[str, object] = {}
        for name, cell in zip(header, cells, strict=True):
            if not cell and name not in optional:
                raise LexiconError(str(path), number, f"empty cell in column '{name}'")
            check = checkers.get(name)
            if check is None:
                values[name] = cell
                continue
            try:
                values[name] = check(cell)
            except ValueError as exc:
                raise LexiconError(str(path), number, f"column '{name}': {exc}") from None
        rows.append(Row(number, values))
    if header is None:
        raise LexiconError(str(path), 0, "empty lexicon (no header)")
    return rows


def _content_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield i, line.rstrip("\n")


def one_of(*allowed: str) -> Checker:
    def check(cell: str) -> str:
        if cell not in allowed:
            raise ValueError(f"'{cell}' is not one of {', '.join(allowed)}")
        return cell

    return check


def int_in(lo: int, hi: int) -> Checker:
    def check(cell: str) -> int:
        try:
            value = int(cell)
        except ValueError:
            raise ValueError(f"'{cell}' is not a whole number") from None
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value

    return check


def float_in(lo: float, hi: float) -> Checker:
    def check(cell: str) -> float:
        try:
            value = float(cell)
        except ValueError:
            raise ValueError(f"'{cell}' is not a number") from None
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value

    return check


def arabic_phrase(cell: str) -> str:
    if not any("\u0600" <= ch <= "\u06ff" for ch in cell):
        raise ValueError(f"'{cell}' has no Arabic letter")
    return cell


def fingerprint(paths: Sequence[Path]) -> str:
    """A short hash of the lexicon files, recorded with every result that used them."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]
