"""Parallel ingest: worker processes, batched transactions and the persisted near-duplicate index
give the database that one process storing one document per transaction gives."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "store"
sys.path.insert(0, str(FIXTURES))
import fake_extractor  # noqa: E402
import store_helpers  # noqa: E402

from marsad.batch import Located  # noqa: E402
from marsad.engine import ExtractorSpec, open_engine  # noqa: E402
from marsad.engine.local import LocalPool  # noqa: E402
from marsad.errors import ConfigError, InputError  # noqa: E402
from marsad.ingest import NearDuplicates, ingest  # noqa: E402
from marsad.ingest.readers import ReadFailure  # noqa: E402
from marsad.ingest.run import InProcess, run  # noqa: E402
from marsad.models import RawDocument  # noqa: E402
from marsad.store import open_store  # noqa: E402
from marsad.store.merge import band_keys, nearest_duplicate  # noqa: E402

db_url = store_helpers.db_url_fixture()
SPEC = ExtractorSpec("fake_extractor:extract")
PLACES = ["بصرى الشام", "طفس", "نوى", "إدلب", "درعا", "صيدا"]
WHAT = ["غارات", "قصف", "اشتباكات"]
SAID = ["بحسب المرصد", "نقلت فرانس برس", "قال ناشطون"]


def reports() -> list[RawDocument | Located | ReadFailure]:
    """34 short reports over a week: rewrites of one story by several outlets (near-duplicates),
    accounts of one strike a day apart, a report that breaks the extractor, a bad doc_id, a line
    that could not be read, and one report given twice."""
    out: list[RawDocument | Located | ReadFailure] = []
    for i in range(28):
        place, what, said = PLACES[i % 6], WHAT[(i // 6) % 3], SAID[i % 3]
        day = dt.date(2018, 7, 1) + dt.timedelta(days=(i * 3) % 7)
        text = (
            f"{what} عنيفة استهدفت {place} صباح اليوم وأدت إلى مقتل {i % 5 + 2} مدنيين {said}. "
            f"وأضاف المصدر أن فرق الدفاع المدني عملت حتى المساء في الحي رقم {i} بعد أن تهدمت عدة منازل."
        )
        out.append(RawDocument(f"r{i:02d}", text, published=day, outlet=f"outlet{i % 4}.example"))
        if i % 7 == 3:  # another outlet rewrites the story, a word changed here and there
            rewrite = text.replace("عنيفة", "كثيفة").replace("صباح اليوم", "فجر اليوم")
            out.append(RawDocument(f"r{i:02d}-copy", rewrite, published=day, outlet="mirror.example"))
    out.insert(5, RawDocument("boom", "نص فيه انفجار_داخلي في إدلب"))
    out.insert(9, RawDocument("bad\nid", "قصف على طفس"))
    out.insert(12, ReadFailure("in.jsonl:13", InputError("not JSON")))
    out.append(Located("again.txt", out[0] if isinstance(out[0], RawDocument) else RawDocument("x", "x")))
    out.append(RawDocument("undated", "اشتباكات في نوى بين الفصائل بحسب المرصد، ولم يعرف عدد الضحايا."))
    return out


def one_by_one(url: str) -> tuple[dict, list[str], tuple[int, ...]]:
    """The reference: one process, one document per transaction, the in-memory index."""
    store = open_store(url)
    failures: list[str] = []
    try:
        report = ingest(store, reports(), fake_extractor.extract, dedup=NearDuplicates(), on_failure=failures.append)
        return store.snapshot(), failures, _counts(report)
    finally:
        store.close()


def _counts(report) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return (report.added, report.replaced, report.unchanged, report.failed, report.mentions, report.undated)


def test_worker_processes_and_batches_give_the_one_by_one_database(db_url: str, tmp_path: Path) -> None:
    expected, expected_failures, expected_counts = one_by_one(f"sqlite:///{tmp_path / 'reference.sqlite'}")
    assert expected_counts[0] >= 30 and expected_counts[3] == 3  # boom, the bad id, the unread line
    groups = {row[0]: row[8] for row in expected["documents"]}  # doc_id -> dup_group
    assert groups["r03-copy"] == "r03" and groups["r10-copy"] == "r10"  # rewrites are linked

    store = open_store(db_url)
    failures: list[str] = []
    seen = []
    try:
        with LocalPool(SPEC, 2) as engine:
            report = run(
                store,
                reports(),
                engine,
                batch_size=7,
                chunk=3,
                on_failure=failures.append,
                on_item=lambda: seen.append(1),
            )
        assert store.snapshot() == expected
    finally:
        store.close()
    assert _counts(report) == expected_counts
    assert failures == expected_failures
    assert len(seen) == len(reports())


def test_rerun_and_batch_sizes_change_nothing(tmp_path: Path) -> None:
    expected, _, _ = one_by_one(f"sqlite:///{tmp_path / 'reference.sqlite'}")
    url = f"sqlite:///{tmp_path / 'batched.sqlite'}"
    store = open_store(url)
    try:
        first = run(store, reports()[:20], InProcess(fake_extractor.extract), batch_size=4)
        second = run(store, reports(), InProcess(fake_extractor.extract), batch_size=50, chunk=5)
        assert store.snapshot() == expected
    finally:
        store.close()
    assert second.unchanged == first.added + first.unchanged + 1  # + the report given twice
    assert second.added == len({r.doc_id for r in reports() if isinstance(r, RawDocument)}) - 2 - first.added


def test_a_document_the_database_refuses_fails_alone(tmp_path: Path) -> None:
    """A batch with one document that cannot be stored is written again one by one."""
    store = open_store(str(tmp_path / "db.sqlite"))
    long_outlet = RawDocument("long", "قصف على طفس بحسب المرصد", outlet="x" * 300, published=dt.date(2018, 7, 2))
    good = [r for r in reports() if isinstance(r, RawDocument) and r.doc_id.startswith("r")][:6]
    failures: list[str] = []
    try:
        # SQLite does not enforce VARCHAR lengths: refuse through a trigger, as a server would
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN length(NEW.outlet) > 256 "
                "BEGIN SELECT RAISE(ABORT, 'value too long for outlet'); END"
            )
        items = [*good[:3], long_outlet, *good[3:]]
        report = run(store, items, InProcess(fake_extractor.extract), batch_size=10, on_failure=failures.append)
        assert store.counts()["documents"] == 6
    finally:
        store.close()
    assert report.added == 6 and report.failed == 1
    assert failures == report.failures and len(failures) == 1
    assert failures[0].startswith("long: ") and "value too long" in failures[0]


def test_persisted_index_finds_what_the_in_memory_index_finds() -> None:
    nd = NearDuplicates()
    texts = {
        "a": "غارات عنيفة استهدفت بصرى الشام صباح اليوم وأدت إلى مقتل خمسة مدنيين بحسب المرصد",
        "b": "غارات كثيفة استهدفت بصرى الشام صباح اليوم وأدت إلى مقتل خمسة مدنيين بحسب المرصد",
        "c": "اشتباكات متقطعة في محيط نوى بين فصائل محلية دون أنباء عن ضحايا حتى الآن",
    }
    sigs = {k: nd.to_bytes(nd.signature(t)) for k, t in texts.items()}
    shared = set(band_keys(sigs["a"])) & set(band_keys(sigs["b"]))
    assert shared and not set(band_keys(sigs["a"])) & set(band_keys(sigs["c"]))
    assert len(band_keys(sigs["a"])) == 25 and band_keys(b"short") == []
    nd.add("a", "a", nd.from_bytes(sigs["a"]))
    nd.add("c", "c", nd.from_bytes(sigs["c"]))
    stored = [("a", "a", sigs["a"]), ("c", "c", sigs["c"])]
    assert nearest_duplicate("b", sigs["b"], stored) == nd.find("b", nd.from_bytes(sigs["b"])) == ("a", "a")
    assert nearest_duplicate("c", sigs["c"], stored) == ("c", None)


def test_engine_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="--jobs"):
        open_engine("local", SPEC, jobs=0)
    with pytest.raises(ConfigError, match="local or dask"):
        open_engine("spark", SPEC, jobs=2)
    with pytest.raises(ConfigError, match="--scheduler goes with"):
        open_engine("local", SPEC, jobs=2, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ConfigError, match="cannot load extractor"):
        ExtractorSpec("no_such_module:extract").check()
    with pytest.raises(InputError, match="batch size"):
        run(object(), [], InProcess(fake_extractor.extract), batch_size=0)  # type: ignore[arg-type]


def test_a_worker_that_cannot_load_its_extractor_is_an_error_not_a_hang(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "db.sqlite"))
    try:
        with LocalPool(ExtractorSpec("no_such_module:extract"), 2) as engine, pytest.raises(ConfigError):
            run(store, reports()[:4], engine)
    finally:
        store.close()


def test_dask_workers_of_another_marsad_version_are_refused() -> None:
    from marsad import __version__
    from marsad.engine.cluster import _same_version

    class Workers:  # what ``Client.run`` answers: one value per worker address
        def __init__(self, versions: dict[str, str]) -> None:
            self.versions = versions

        def run(self, fn: object) -> dict[str, str]:
            return self.versions

    _same_version(Workers({"tcp://10.0.0.2:40001": __version__, "tcp://10.0.0.3:40001": __version__}))
    with pytest.raises(ConfigError, match=r"another marsad version .*tcp://10.0.0.3:40001 has 0.0.9"):
        _same_version(Workers({"tcp://10.0.0.2:40001": __version__, "tcp://10.0.0.3:40001": "0.0.9"}))


def test_a_report_replaced_inside_a_batch_gives_the_one_by_one_database(tmp_path: Path) -> None:
    """A doc_id given again with other content in the same batch replaces the first version: its
    mentions leave their events, which are recomputed once at the end of the batch."""
    first = [r for r in reports() if isinstance(r, RawDocument) and r.doc_id.startswith("r")][:12]
    changed = RawDocument(
        "r02", "قصف مدفعي على نوى مساء اليوم أدى إلى مقتل 9 مدنيين بحسب المرصد.", published=dt.date(2018, 7, 4)
    )
    items: list[RawDocument | Located | ReadFailure] = [*first, changed, *first[3:6]]

    def database(url: str, batched: bool) -> tuple[dict, tuple[int, ...]]:  # type: ignore[type-arg]
        store = open_store(url)
        try:
            if batched:
                report = run(store, items, InProcess(fake_extractor.extract), batch_size=50, chunk=4)
            else:
                report = ingest(store, items, fake_extractor.extract, dedup=NearDuplicates())
            return store.snapshot(), _counts(report)
        finally:
            store.close()

    expected, expected_counts = database(f"sqlite:///{tmp_path / 'one.sqlite'}", batched=False)
    got, counts = database(f"sqlite:///{tmp_path / 'batch.sqlite'}", batched=True)
    assert counts == expected_counts and counts[1] == 1 and counts[2] == 3  # one replaced, three unchanged
    assert got == expected
    texts = {row[0]: row for row in got["documents"]}
    assert "نوى" in str(texts["r02"]) and "r02#0" in {row[0] for row in got["mentions"]}
