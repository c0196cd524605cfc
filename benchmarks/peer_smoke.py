"""Recall smoke check on a peer project's Arabic sentences (../shared/eval/peer).

For each sentence whose coders marked a trigger, does Marsad find at least one event of a
compatible family (ASSAULT → violence against civilians, explosions/remote violence or battles;
PROTEST → protests or riots)? Labels are coarse and sentences have no dates or context, so this
is a smoke check across writing styles, not a target.

usage: python benchmarks/peer_smoke.py [PATH/up_arabic_validation.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from marsad.errors import InputError
from marsad.models import RawDocument
from marsad.pipeline import Pipeline

FAMILIES = {
    "ASSAULT": {"violence_against_civilians", "explosions_remote_violence", "battles"},
    "PROTEST": {"protests", "riots"},
}


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "peer" / "up_arabic_validation.jsonl"
    path = Path(argv[0]) if argv else default
    if not path.is_file():
        print(f"peer file not found: {path}", file=sys.stderr)
        return 1
    pipeline = Pipeline.from_settings()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    any_event: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if not rec.get("eventtext"):
            continue
        cat = rec["category"]
        total[cat] += 1
        try:
            result = pipeline.run(RawDocument(rec["id"], rec["text"]))
        except InputError:
            continue
        types = {e.event_type for e in result.events}
        any_event[cat] += bool(types)
        found[cat] += bool(types & FAMILIES.get(cat, set()))
    for cat in sorted(total):
        share, anything = found[cat] / total[cat], any_event[cat] / total[cat]
        print(f"{cat:8} sentences {total[cat]:4}  compatible event {share:.3f}  any event {anything:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
