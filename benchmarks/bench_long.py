#!/usr/bin/env python3
"""Extraction time on long reports: is it linear in the report's length?

usage: python benchmarks/bench_long.py [--sizes 100,200,400,800,1600,5000] [--goal-800 3.0]

Two kinds of synthetic reports of our own, of each size in KB (UTF-8 bytes, up to the 5 MB a
document may have):

- *varied*: sentences drawn from templates (strikes, shelling, clashes, arrests, protests) with
  20 towns, 5 actors, 9 days and random figures, a paragraph break every six sentences: a long
  digest of many incidents;
- *repeated*: one sentence naming one town, repeated: every sentence holds the same place and the
  same triggers, the worst case for anything that pairs triggers with a place's mentions.

Each report is extracted once by ``Pipeline.run`` (learned decisions included) after a warm-up
on a short report. Prints seconds, KB/s and the ratio of time per KB to that of the smallest size
(about 1 when linear). Exits 1 when an 800 KB report takes longer than ``--goal-800`` seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.models import RawDocument  # noqa: E402
from marsad.pipeline import Pipeline  # noqa: E402
from marsad.settings import Settings  # noqa: E402

TOWNS = [
    "طفس", "نوى", "بصرى الشام", "داعل", "جاسم", "الحراك", "انخل", "الصنمين", "إزرع", "المسيفرة",
    "سراقب", "معرة النعمان", "خان شيخون", "جسر الشغور", "أريحا", "كفرنبل", "اللطامنة", "مورك",
    "كفرزيتا", "حلفايا",
]  # fmt: skip
WHO = ["قوات النظام", "الطيران الروسي", "فصائل المعارضة", "تنظيم الدولة الإسلامية", "قوات سوريا الديمقراطية"]
HOW = [
    "قصفت {who} بلدة {town} بالمدفعية الثقيلة صباح {day} ما أدى إلى مقتل {n} مدنيين وإصابة {m} آخرين",
    "شن {who} غارات جوية على أطراف {town} مساء {day} وأسفرت عن مقتل {n} أشخاص بينهم أطفال",
    "اندلعت اشتباكات عنيفة بين {who} ومسلحين محليين في محيط {town} يوم {day} وقتل فيها {n} مقاتلين",
    "أفاد ناشطون بأن {who} اعتقلت {n} شبان من {town} خلال حملة مداهمات {day}",
    "خرج المئات في مظاهرة في {town} {day} للمطالبة بالإفراج عن المعتقلين",
]
DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد", "أمس", "اليوم"]
REPEATED = (
    "قصفت قوات النظام بلدة طفس في ريف درعا صباح اليوم ما أدى إلى مقتل أربعة مدنيين وإصابة آخرين، "
    "بحسب المرصد السوري لحقوق الإنسان. "
)


def varied(nbytes: int, seed: int) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < nbytes:
        sentence = rng.choice(HOW).format(
            who=rng.choice(WHO), town=rng.choice(TOWNS), day=rng.choice(DAYS), n=rng.randint(2, 60), m=rng.randint(1, 9)
        )
        sentence += f"، بحسب المرصد السوري لحقوق الإنسان في تقريره رقم {len(parts) + 1}."
        parts.append(sentence + ("\n" if len(parts) % 6 == 5 else " "))
        size += len(parts[-1].encode("utf-8"))
    return "".join(parts)


def repeated(nbytes: int) -> str:
    return REPEATED * max(1, nbytes // len(REPEATED.encode("utf-8")))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,200,400,800,1600,5000", help="report sizes in KB, comma-separated")
    ap.add_argument("--goal-800", type=float, default=3.0, help="seconds an 800 KB report may take")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    pipeline = Pipeline.from_settings(Settings())
    day = dt.date(2019, 5, 2)
    pipeline.run(RawDocument("warm-up", varied(2000, 0), day))
    missed = False
    for kind in ("varied", "repeated"):
        base: float | None = None
        print(f"{kind}:")
        for kb in sizes:
            text = varied(kb * 1000, kb) if kind == "varied" else repeated(kb * 1000)
            began = time.perf_counter()
            result = pipeline.run(RawDocument(f"{kind}-{kb}", text, day))
            took = time.perf_counter() - began
            real_kb = len(text.encode("utf-8")) / 1000
            per_kb = took / real_kb
            base = base or per_kb
            print(
                f"  {real_kb:7.0f} KB  {took:6.2f} s  {real_kb / took:5.0f} KB/s  time per KB x{per_kb / base:.2f}"
                f"  ({len(result.events)} events)",
                flush=True,
            )
            if kb == 800 and took > args.goal_800:
                missed = True
    if missed:
        print(f"an 800 KB report took longer than {args.goal_800:g} s", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
