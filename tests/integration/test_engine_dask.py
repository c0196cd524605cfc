"""The Dask engine on a local cluster of two worker processes gives exactly the database of a
single process (``--jobs 1``), on SQLite and on PostgreSQL, with the real extraction pipeline."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "store"
sys.path.insert(0, str(FIXTURES))
import store_helpers  # noqa: E402

from marsad.engine import ExtractorSpec  # noqa: E402
from marsad.engine.cluster import DaskEngine  # noqa: E402
from marsad.ingest.run import InProcess, run  # noqa: E402
from marsad.models import RawDocument  # noqa: E402
from marsad.settings import Settings  # noqa: E402
from marsad.store import EventQuery, open_store  # noqa: E402

db_url = store_helpers.db_url_fixture()
SPEC = ExtractorSpec(None, Settings())

TOWNS = ["معرة النعمان", "سراقب", "خان شيخون", "بصرى الشام", "طفس", "جسر الشغور"]
ATTACKS = [
    "شنت طائرات حربية غارات جوية على {town} صباح اليوم ما أدى إلى مقتل {n} مدنيين وإصابة آخرين",
    "قصفت قوات النظام بالمدفعية الثقيلة أحياء {town} ظهر اليوم ما أسفر عن مقتل {n} أشخاص",
    "اندلعت اشتباكات عنيفة بين فصائل المعارضة وقوات النظام على أطراف {town} وقتل فيها {n} مقاتلين",
]
SAYS = ["بحسب المرصد السوري لحقوق الإنسان", "وفق ما أفاد ناشطون محليون", "بحسب ما نقلت وكالة فرانس برس"]
AFTER = [
    "وعملت فرق الدفاع المدني على انتشال الضحايا من تحت الأنقاض.",
    "ونزحت عشرات العائلات نحو المخيمات القريبة من الحدود.",
    "وخرج المستشفى الميداني في المنطقة عن الخدمة بعد استهدافه.",
]


def reports() -> list[RawDocument]:
    """30 short reports of our own over ten days; every fifth event is told again by another
    outlet in other words (the merge has something to join)."""
    out: list[RawDocument] = []
    for i in range(25):
        town, n = TOWNS[i % len(TOWNS)], 2 + i % 6
        day = dt.date(2019, 5, 1) + dt.timedelta(days=i % 10)
        first = ATTACKS[i % 3].format(town=town, n=n)
        text = f"{first} {SAYS[i % 3]}. {AFTER[(i // 3) % 3]}"
        out.append(RawDocument(f"d{i:02d}", text, published=day, outlet=f"outlet{i % 3}.example"))
        if i % 5 == 0:
            again = f"قال المرصد السوري لحقوق الإنسان إن {first.replace('اليوم', 'الأحد')}. {AFTER[(i + 1) % 3]}"
            out.append(RawDocument(f"d{i:02d}-b", again, published=day, outlet="other.example"))
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address="127.0.0.1:0", silence_logs=50
    )
    dask_client = distributed.Client(cluster)
    try:
        yield dask_client
    finally:
        dask_client.close()
        cluster.close()


def contents(url: str) -> tuple[dict[str, list[tuple[Any, ...]]], list[dict[str, Any]]]:
    """Every table (wall-clock columns left out) and the exported events without their timestamp."""
    store = open_store(url)
    try:
        events = [{k: v for k, v in e.items() if k != "timestamp"} for e in store.events(EventQuery())]
        return store.snapshot(), events
    finally:
        store.close()


def test_two_dask_workers_give_the_single_process_database(client: Any, db_url: str, tmp_path: Path) -> None:
    single = f"sqlite:///{tmp_path / 'single.sqlite'}"
    store = open_store(single)
    try:
        alone = run(store, reports(), InProcess(SPEC.build()), batch_size=1)
    finally:
        store.close()
    assert alone.failed == 0 and alone.added == 30

    store = open_store(db_url)
    try:
        with DaskEngine(SPEC, jobs=2, client=client) as engine:
            assert engine.workers() == 2
            spread = run(store, reports(), engine, batch_size=8, chunk=4)
    finally:
        store.close()
    assert (spread.added, spread.failed, spread.mentions) == (alone.added, alone.failed, alone.mentions)

    tables, events = contents(db_url)
    expected_tables, expected_events = contents(single)
    assert tables == expected_tables
    assert json.dumps(events, sort_keys=True, default=str) == json.dumps(expected_events, sort_keys=True, default=str)
    assert len(events) < alone.mentions  # accounts of one event were merged
    worked = client.run(lambda: os.getpid())
    assert len(set(worked.values())) == 2 and os.getpid() not in worked.values()


def test_cli_engine_dask_starts_a_local_cluster(tmp_path: Path) -> None:
    src = tmp_path / "reports.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for raw in reports()[:12]:
            rec = {"doc_id": raw.doc_id, "text": raw.text, "published": str(raw.published), "outlet": raw.outlet}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    paths = [str(ROOT / "src"), str(FIXTURES), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}

    def ingest(db: Path, *options: str) -> subprocess.CompletedProcess[str]:
        args = ["ingest", str(src), "--db", str(db), "--no-progress", "--extractor", "fake_extractor:extract"]
        command = [sys.executable, "-m", "marsad", *args, *options]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    done = ingest(tmp_path / "dask.sqlite", "--engine", "dask", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "12 added" in done.stderr and "Traceback" not in done.stderr
    alone = ingest(tmp_path / "alone.sqlite", "--jobs", "1")
    assert alone.returncode == 0, alone.stderr
    assert contents(str(tmp_path / "dask.sqlite")) == contents(str(tmp_path / "alone.sqlite"))

    wrong = ingest(tmp_path / "x.sqlite", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert wrong.returncode == 2 and wrong.stderr.startswith("error: cannot reach the Dask scheduler")
    assert "Traceback" not in wrong.stderr


class _ClosingNoisily:
    """Stands for a cluster whose shutdown races a worker's stream: Dask logs that as an error."""

    def close(self) -> None:
        try:
            raise OSError("stream closed")
        except OSError:
            logging.getLogger("distributed.batched").exception("Error in batched write")


def test_shutdown_race_is_not_printed_and_dask_log_level_is_restored(caplog: pytest.LogCaptureFixture) -> None:
    dask_log = logging.getLogger("distributed")
    before = dask_log.level
    engine = DaskEngine(SPEC, jobs=1)
    engine._own.append(_ClosingNoisily())  # what __enter__ keeps for a cluster it started
    engine._quiet(logging.WARNING)
    with caplog.at_level(logging.DEBUG):
        engine.__exit__(None, None, None)
        logging.getLogger("distributed.scheduler").error("after the engine closed")
    messages = [r.getMessage() for r in caplog.records]
    assert "Error in batched write" not in messages
    assert "after the engine closed" in messages
    assert dask_log.level == before
