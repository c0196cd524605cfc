"""Readers: text, JSONL, HTML, feeds, directories, and bad input reported one line each."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from marsad.batch import Located
from marsad.errors import BadRecordError, BinaryInputError, EmptyDocumentError, EncodingError
from marsad.ingest.readers import UNDATED, ReadFailure, estimate, html_date, read_paths
from marsad.models import RawDocument

BODY = "شنت الطائرات غارات على بلدة طفس في ريف درعا الغربي صباح اليوم، وأفاد ناشطون بسقوط جرحى. " * 3

PAGE = """<!doctype html><html><head><title>غارات على طفس - موقع</title>
<meta property="og:site_name" content="Example News">
<link rel="canonical" href="https://news.example/a/1">
{meta}
</head><body><nav>الرئيسية | أخبار | رياضة</nav><article><h1>غارات على طفس</h1>
<p>{body}</p><p>{body}</p></article><footer>© 2018 جميع الحقوق محفوظة</footer></body></html>"""

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed Outlet</title>
<item><title>خبر أول</title><link>https://feed.example/1</link><guid>https://feed.example/1</guid>
<pubDate>Thu, 05 Jul 2018 10:00:00 GMT</pubDate><description>&lt;p&gt;{body}&lt;/p&gt;</description></item>
<item><title>خبر ثان</title><link>https://feed.example/2</link><description></description></item>
</channel></rss>"""


def read(*paths: Path, **kw: object) -> list[RawDocument | ReadFailure]:
    """The documents read (``RawDocument``) and the failures, in order."""
    return [i.doc if isinstance(i, Located) else i for i in read_paths(list(paths), **kw)]  # type: ignore[arg-type]


def test_text_file_doc_id_is_its_path_without_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(BODY, encoding="utf-8")
    a, b = read(tmp_path / "a.txt", tmp_path / "b.txt")
    assert isinstance(a, RawDocument) and isinstance(b, RawDocument)
    assert (a.doc_id, b.doc_id) == ("a", "b")  # as `marsad extract` names them
    assert a.published is None


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"doc_id": "x1", "text": BODY, "published": "2018-07-05T09:00:00Z", "outlet": "o"}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"doc_id": "x2"}),
        json.dumps({"doc_id": "x3", "text": BODY, "published": "yesterday"}),
        json.dumps({"doc_id": "x4", "text": "   "}),
        "",
        json.dumps({"id": 7, "text": BODY}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path)
    docs = [i for i in items if isinstance(i, RawDocument)]
    fails = [i for i in items if isinstance(i, ReadFailure)]
    assert [d.doc_id for d in docs] == ["x1", "7"]
    assert docs[1].published is None
    assert docs[0].published == dt.date(2018, 7, 5) and docs[0].outlet == "o"
    assert [f.where for f in fails] == [f"{path}:{n}" for n in (2, 3, 4, 5, 6)]
    assert isinstance(fails[0].error, BadRecordError) and isinstance(fails[4].error, EmptyDocumentError)
    assert all("\n" not in str(f) for f in fails)
    assert estimate([path]) == 7


def test_html_takes_main_text_title_and_meta_date(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        PAGE.format(body=BODY, meta='<meta property="article:published_time" content="2018-07-05T08:00:00+03:00">'),
        encoding="utf-8",
    )
    (doc,) = read(path)
    assert isinstance(doc, RawDocument)
    assert doc.published == dt.date(2018, 7, 5)
    assert doc.doc_id == doc.url == "https://news.example/a/1" and doc.outlet == "Example News"
    dated = tmp_path / "rfc.html"
    dated.write_text(
        PAGE.format(body=BODY, meta='<meta name="pubdate" content="Thu, 05 Jul 2018 10:00:00 GMT">'), encoding="utf-8"
    )
    (doc,) = read(dated)
    assert isinstance(doc, RawDocument) and doc.published == dt.date(2018, 7, 5)
    assert doc.title is not None and "طفس" in doc.title
    assert "طفس" in doc.text and "الرئيسية" not in doc.text


def test_html_date_from_json_ld_and_none_with_a_warning(tmp_path: Path) -> None:
    ld = (
        '<script type="application/ld+json">'
        '{"@graph": [{"@type": "NewsArticle", "datePublished": "2018-07-06"}]}</script>'
    )
    assert html_date(PAGE.format(body="x", meta=ld)) == dt.date(2018, 7, 6)
    path = tmp_path / "nodate.htm"
    page = PAGE.replace('<link rel="canonical" href="https://news.example/a/1">', "")
    path.write_text(page.format(body=BODY, meta=""), encoding="utf-8")
    (item,) = read_paths([path])
    assert isinstance(item, Located) and item.doc.published is None  # not the footer's 2018-01-01
    assert item.doc.doc_id == "nodate"  # no canonical URL: the file's name, not a hash
    assert UNDATED in item.warnings
    deep = "[" * 5000 + "]" * 5000
    assert html_date(PAGE.format(body="x", meta=f'<script type="application/ld+json">{deep}</script>')) is None


def test_feed_entries(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(FEED.format(body=BODY), encoding="utf-8")
    first, second = read(path)
    assert isinstance(first, RawDocument)
    assert first.doc_id == "https://feed.example/1" and first.published == dt.date(2018, 7, 5)
    assert first.outlet == "Feed Outlet" and "<p>" not in first.text
    assert isinstance(second, ReadFailure) and isinstance(second.error, EmptyDocumentError)


def test_directories_recursively_and_bad_files(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(BODY + "!", encoding="utf-8")
    (tmp_path / ".hidden").write_text("ignored", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    items = read(tmp_path, tmp_path / "missing.txt")
    docs = [i for i in items if isinstance(i, RawDocument)]
    fails = {Path(i.where).name: i.error for i in items if isinstance(i, ReadFailure)}
    assert sorted(d.doc_id for d in docs) == ["b", "sub/deeper/a"]  # relative to the folder given
    assert isinstance(fails["bin.dat"], BinaryInputError)
    assert isinstance(fails["latin.txt"], EncodingError)  # four bytes: too little to recognise
    assert "missing.txt" in fails


def test_json_files_are_json_lines_and_an_array_is_refused(tmp_path: Path) -> None:
    """Not one text report made of JSON syntax: ``.json`` holding one object a line is JSONL, and a
    JSON array is a clear failure."""
    record = {"id": "j1", "published": "2018-07-05", "text": BODY}
    (tmp_path / "lines.json").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "array.json").write_text(json.dumps([record], ensure_ascii=False, indent=1), encoding="utf-8")
    failure, doc = read(tmp_path / "array.json", tmp_path / "lines.json")
    assert isinstance(failure, ReadFailure) and isinstance(failure.error, BadRecordError)
    assert "JSON array, not JSON Lines" in str(failure)
    assert isinstance(doc, RawDocument) and (doc.doc_id, doc.published, doc.text) == ("j1", dt.date(2018, 7, 5), BODY)
    assert estimate([tmp_path / "lines.json"]) == 1
