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
        ({"doc_id": True, "text": BODY}, "not a string but a JSON boolean"),
        ({"doc_id": "a\u2028b", "text": BODY}, "line separator (U+2028)"),
        ({"doc_id": "a", "text": None}, '"text" is not a string but a JSON null'),
        ({"doc_id": "a", "text": BODY, "published": "2021-06-02garbage"}, '"published" is not a date'),
        ({"doc_id": "a", "text": BODY, "published": "2021-06-02T25:00"}, '"published" is not a date'),
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


DATED_FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet</title>
<item><guid>late-night</guid><description>{body}</description><pubDate>Wed, 02 Jun 2021 01:30:00 +0300</pubDate></item>
<item><guid>iso-offset</guid><description>{body}</description><pubDate>2021-06-02T00:15:00+03:00</pubDate></item>
<item><guid>year-only</guid><description>{body}</description><pubDate>2021</pubDate></item>
<item><guid>year-month</guid><description>{body}</description><pubDate>2021-06</pubDate></item>
<item><guid>compact</guid><description>{body}</description><pubDate>20210603T100000Z</pubDate></item>
</channel></rss>"""


def test_feed_entry_dates_are_the_outlets_day_and_never_invented(tmp_path: Path) -> None:
    """The day the outlet wrote (not feedparser's UTC day, a day earlier after midnight at +03:00),
    and no date for a bare year or month (feedparser reads ``2021`` as 1 January)."""
    path = tmp_path / "feed.xml"
    path.write_text(DATED_FEED.format(body=BODY), encoding="utf-8")
    items = _read(path)
    assert all(isinstance(i, Located) for i in items)
    dates = {i.doc.doc_id: i.doc.published for i in items if isinstance(i, Located)}
    assert dates == {
        "late-night": dt.date(2021, 6, 2),
        "iso-offset": dt.date(2021, 6, 2),
        "year-only": None,
        "year-month": None,
        "compact": dt.date(2021, 6, 3),
    }
    undated = [i for i in items if isinstance(i, Located) and i.doc.published is None]
    assert all(UNDATED in i.warnings for i in undated)
    assert [i.doc.published for i in _read(path, published=PUBLISHED) if isinstance(i, Located)][2:4] == [
        PUBLISHED,
        PUBLISHED,
    ]


def test_a_doc_id_used_twice_in_one_run_fails_the_second_whatever_the_input(tmp_path: Path) -> None:
    """JSONL lines and feed entries too, not only files: the second would silently replace the first."""
    (tmp_path / "a1.txt").write_text(BODY, encoding="utf-8")
    lines = [{"id": "a1", "text": BODY + " تحديث."}, {"id": "b", "text": BODY}, {"id": "b", "text": BODY + " ثان."}]
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    (tmp_path / "c.xml").write_text(FEED.format(body=BODY).replace("<item>", "<item><guid>b</guid>"), encoding="utf-8")
    items = _read(tmp_path, published=PUBLISHED)
    assert [type(i).__name__ for i in items] == ["Located", "ReadFailure", "Located", "ReadFailure", "ReadFailure"]
    assert [i.where for i in items] == [
        str(tmp_path / "a1.txt"),
        f"{tmp_path / 'b.jsonl'}:1",
        f"{tmp_path / 'b.jsonl'}:2",
        f"{tmp_path / 'b.jsonl'}:3",
        f"{tmp_path / 'c.xml'}#1",
    ]
    failures = [i for i in items if isinstance(i, ReadFailure)]
    assert all(isinstance(f.error, BadRecordError) and "duplicate doc_id" in str(f) for f in failures)
    assert f"already used by {tmp_path / 'b.jsonl'}:2" in str(failures[1])


def test_a_jsonl_timestamp_gives_the_day_as_written(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    rows = [
        {"doc_id": "local", "text": BODY, "published": "2021-06-02T01:30:00+03:00"},  # 1 June in UTC
        {"doc_id": "plain", "text": BODY, "published": " 2021-06-03 "},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert [(x.doc.doc_id, x.doc.published) for x in _read(path) if isinstance(x, Located)] == [
        ("local", dt.date(2021, 6, 2)),
        ("plain", dt.date(2021, 6, 3)),
    ]


def test_a_broken_json_line_names_its_column_once(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes('{"text": "قصف على درعا", "published": "2021-0\n'.encode())
    (failure,) = _read(path)
    assert isinstance(failure, ReadFailure) and "at at" not in str(failure) and "at column" in str(failure)
