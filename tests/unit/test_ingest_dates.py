"""Dated ingest: a document's own date, else a date in its path, else ``--published``; an undated
document is read with a warning. doc_ids of files are paths relative to the folder given."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from marsad.batch import Located
from marsad.errors import BadRecordError
from marsad.ingest.readers import UNDATED, ReadFailure, path_date, read_paths

BODY = "أفادت مصادر محلية بأن قصفا مدفعيا استهدف بلدة نوى في ريف درعا الغربي صباح اليوم دون وقوع إصابات."
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet</title>
<item><title>خبر</title><link>https://feed.example/1</link><description>{body}</description></item>
</channel></rss>"""
PUBLISHED = dt.date(2019, 3, 1)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("reports/2018-07-05-nawa.txt", dt.date(2018, 7, 5)),
        ("reports/nawa_2018_07_05.txt", dt.date(2018, 7, 5)),
        ("reports/20180705.html", dt.date(2018, 7, 5)),
        ("archive/2018/07/05/nawa.txt", dt.date(2018, 7, 5)),
        ("2017-01-02/sub/2018-07-05.txt", dt.date(2018, 7, 5)),  # the one nearest the file wins
        ("reports/nawa-123456789.txt", None),
        ("reports/2018-13-05.txt", None),  # no month 13
        ("reports/2018-02-30.txt", None),  # no 30 February
        ("reports/2018-07/05.txt", None),  # separators must agree
    ],
)
def test_date_in_a_path(path: str, expected: dt.date | None) -> None:
    assert path_date(path) == expected


def _read(*paths: Path, **kw: object) -> list[Located | ReadFailure]:
    return list(read_paths(list(paths), **kw))  # type: ignore[arg-type]


def test_text_files_take_their_path_date_then_published(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "2018-07-05").mkdir(parents=True)
    (folder / "2018-07-05" / "a.txt").write_text(BODY, encoding="utf-8")
    (folder / "b.txt").write_text(BODY, encoding="utf-8")
    a, b = _read(folder, published=PUBLISHED)
    assert isinstance(a, Located) and isinstance(b, Located)
    assert (a.doc.doc_id, a.doc.published) == ("2018-07-05/a", dt.date(2018, 7, 5))
    assert any("taken from the file path" in w for w in a.warnings)
    assert (b.doc.doc_id, b.doc.published) == ("b", PUBLISHED)
    assert not b.warnings


def test_undated_document_is_read_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text(BODY, encoding="utf-8")
    (item,) = _read(tmp_path / "c.txt")
    assert isinstance(item, Located) and item.doc.published is None
    assert item.warnings == (UNDATED,)


def test_jsonl_lines_keep_their_own_date(tmp_path: Path) -> None:
    path = tmp_path / "wire-2018-07-05.jsonl"
    lines = [{"doc_id": "own", "text": BODY, "published": "2018-07-04"}, {"doc_id": "none", "text": BODY}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    own, none = _read(path, published=PUBLISHED)
    assert isinstance(own, Located) and own.doc.published == dt.date(2018, 7, 4)
    assert isinstance(none, Located) and none.doc.published == dt.date(2018, 7, 5)  # from the file name


def test_feed_entry_without_a_date_takes_published(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(FEED.format(body=BODY), encoding="utf-8")
    (item,) = _read(path, published=PUBLISHED)
    assert isinstance(item, Located) and item.doc.published == PUBLISHED
    (undated,) = _read(path)
    assert isinstance(undated, Located) and undated.doc.published is None and UNDATED in undated.warnings


def test_two_files_with_one_doc_id_the_second_fails(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "a.md").write_text(BODY + " تحديث.", encoding="utf-8")
    first, second = _read(tmp_path)
    assert isinstance(first, Located) and first.doc.doc_id == "a"
    assert isinstance(second, ReadFailure) and isinstance(second.error, BadRecordError)
    assert "duplicate doc_id" in str(second)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"doc_id": "a\u0000b", "text": BODY}, "control character (U+0000)"),
        ({"doc_id": "a\nb", "text": BODY}, "control character (U+000A)"),
        ({"doc_id": "a", "text": BODY, "title": "x\u0000"}, '"title" holds a NUL'),
        ({"doc_id": "a", "text": BODY + "\ud800"}, "not valid Unicode"),
        ({"doc_id": True, "text": BODY}, "not a string"),
    ],
)
def test_bad_ids_and_fields_fail_their_line_only(tmp_path: Path, record: dict[str, object], message: str) -> None:
    path = tmp_path / "in.jsonl"
    good = json.dumps({"doc_id": "good", "text": BODY}, ensure_ascii=False)
    path.write_text(json.dumps(record) + "\n" + good + "\n", encoding="utf-8")
    bad, ok = _read(path)
    assert isinstance(bad, ReadFailure) and message in str(bad) and "\n" not in str(bad)
    assert isinstance(ok, Located) and ok.doc.doc_id == "good"


def test_deeply_nested_json_line_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    nested = '{"doc_id": "deep", "text": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    strings = json.dumps({"doc_id": "brackets", "text": BODY + " " + "[" * 500}, ensure_ascii=False)
    good = json.dumps({"doc_id": "good", "text": BODY}, ensure_ascii=False)
    path.write_text("\n".join([nested, strings, good]) + "\n", encoding="utf-8")
    deep, brackets, ok = _read(path)
    assert isinstance(deep, ReadFailure) and "nested deeper" in str(deep)
    assert isinstance(brackets, Located)  # brackets inside a string are text, not nesting
    assert isinstance(ok, Located) and ok.doc.doc_id == "good"
