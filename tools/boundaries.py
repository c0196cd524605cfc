"""Build the dashboard's offline base layer, ``src/marsad/web/static/data/boundaries.geojson``.

Sources (recorded with their licences in ``static/data/ATTRIBUTION.md``):

- countries: Natural Earth 1:50m admin-0 (public domain) as TopoJSON in the npm package
  ``world-atlas`` 2.0.2 (ISC): ``npm pack world-atlas@2.0.2`` and pass its ``countries-50m.json``;
- Syria's governorates: OCHA COD-AB sub-district polygons (CC BY-IGO), dissolved to governorate
  outlines here (an edge shared by two sub-districts of one governorate is dropped);
- Sudan's states: OCHA COD-AB Sudan admin-1 polygons (CC BY-IGO).

Countries are kept where they touch the region of the reports (North Africa, the Levant, Iraq,
the Arabian Peninsula, the Horn of Africa); all lines are simplified (Douglas-Peucker) and rounded
to 0.001° (about 100 m), so the file stays well under a megabyte.

    python tools/boundaries.py --world-atlas /tmp/world-atlas/package/countries-50m.json \\
        --shared ../shared/gazetteer

Reads files only; the network is not used.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "marsad" / "web" / "static" / "data" / "boundaries.geojson"
REGION = (-18.0, 0.0, 64.0, 44.0)  # min lon, min lat, max lon, max lat
Point = tuple[float, float]


def _decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    scale = topology.get("transform", {}).get("scale", [1, 1])
    shift = topology.get("transform", {}).get("translate", [0, 0])
    quantized = "transform" in topology
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0.0
        points = []
        for dx, dy in arc:
            if quantized:
                x, y = x + dx, y + dy
                points.append((x * scale[0] + shift[0], y * scale[1] + shift[1]))
            else:
                points.append((dx, dy))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    out: list[Point] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        out.extend(arc if not out else arc[1:])
    return out


def topojson_countries(path: Path) -> list[dict[str, Any]]:
    """The countries of a world-atlas TopoJSON as GeoJSON features (``name`` property)."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom["type"] == "Polygon":
            polygons = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            continue
        coords = [[_ring(arcs, ring) for ring in polygon] for polygon in polygons]
        name = geom.get("properties", {}).get("name", "")
        features.append({"name": name, "polygons": coords})
    return features


def _bbox(polygons: list[list[list[Point]]]) -> tuple[float, float, float, float]:
    xs = [p[0] for poly in polygons for ring in poly for p in ring]
    ys = [p[1] for poly in polygons for ring in poly for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _touches(box: tuple[float, float, float, float]) -> bool:
    return not (box[2] < REGION[0] or box[0] > REGION[2] or box[3] < REGION[1] or box[1] > REGION[3])


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker (iterative), keeping the end points."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm if norm else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            if d > best:
                best, index = d, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack.extend([(a, index), (index, b)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _round(points: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        q = [round(x, 3), round(y, 3)]
        if not out or out[-1] != q:
            out.append(q)
    return out


def country_features(path: Path, tolerance: float) -> list[dict[str, Any]]:
    out = []
    for country in topojson_countries(path):
        if not _touches(_bbox(country["polygons"])):
            continue
        polygons = []
        for poly in country["polygons"]:
            rings = [_round(simplify(ring, tolerance)) for ring in poly]
            rings = [r for r in rings if len(r) >= 4]
            if rings:
                polygons.append(rings)
        if polygons:
            out.append(
                {
                    "type": "Feature",
                    "properties": {"level": 0, "name": country["name"]},
                    "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                }
            )
    return out


def _polygons(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    if geometry["type"] == "Polygon":
        return [[[tuple(p[:2]) for p in ring] for ring in geometry["coordinates"]]]
    return [[[tuple(p[:2]) for p in ring] for ring in poly] for poly in geometry["coordinates"]]


def outlines(groups: dict[str, list[list[list[Point]]]], tolerance: float) -> list[list[list[float]]]:
    """Boundary lines of areas made of smaller polygons: an edge that two polygons of one area
    share is inside the area and dropped; the rest is chained into lines, simplified, and each
    border between two areas is kept once."""
    edges: Counter[tuple[Point, Point]] = Counter()
    owner: dict[tuple[Point, Point], set[str]] = {}
    for name, polygons in groups.items():
        seen: Counter[tuple[Point, Point]] = Counter()
        for poly in polygons:
            for ring in poly:
                for a, b in itertools.pairwise(ring):
                    a2, b2 = (round(a[0], 6), round(a[1], 6)), (round(b[0], 6), round(b[1], 6))
                    if a2 != b2:
                        seen[(min(a2, b2), max(a2, b2))] += 1
        for edge, n in seen.items():
            if n == 1:  # on the area's outline
                edges[edge] += 1
                owner.setdefault(edge, set()).add(name)
    remaining = set(edges)
    neighbours: dict[Point, list[Point]] = {}
    for a, b in remaining:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    lines = []
    used: set[tuple[Point, Point]] = set()
    for start_edge in sorted(remaining):
        if start_edge in used:
            continue
        used.add(start_edge)
        line = [start_edge[0], start_edge[1]]
        for forward in (True, False):
            while True:
                end = line[-1] if forward else line[0]
                step = None
                if len(neighbours.get(end, [])) == 2:
                    for nxt in neighbours[end]:
                        e = (min(end, nxt), max(end, nxt))
                        if e not in used:
                            step = nxt
                            used.add(e)
                            break
                if step is None:
                    break
                if forward:
                    line.append(step)
                else:
                    line.insert(0, step)
        rounded = _round(simplify(line, tolerance))
        if len(rounded) >= 2:
            lines.append(rounded)
    return lines


def syria_governorates(shared: Path, tolerance: float) -> dict[str, Any]:
    path = shared / "ocha_syria_cod_ab_20201217" / "syr_admbnda_adm3_uncs_unocha_20201217.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, list[list[list[Point]]]] = {}
    for feature in data["features"]:
        groups.setdefault(feature["properties"]["ADM1_EN"], []).extend(_polygons(feature["geometry"]))
    return {
        "type": "Feature",
        "properties": {"level": 1, "country": "SY", "source": "OCHA COD-AB Syria 2020-12-17"},
        "geometry": {"type": "MultiLineString", "coordinates": outlines(groups, tolerance)},
    }


def sudan_states(shared: Path, tolerance: float) -> dict[str, Any]:
    path = shared / "ocha_sudan_cod_ab_v03" / "sdn_admin1.geojson.gz"
    data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    groups = {f["properties"]["adm1_pcode"]: _polygons(f["geometry"]) for f in data["features"]}
    return {
        "type": "Feature",
        "properties": {"level": 1, "country": "SD", "source": "OCHA COD-AB Sudan v03"},
        "geometry": {"type": "MultiLineString", "coordinates": outlines(groups, tolerance)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world-atlas", type=Path, required=True, help="countries-50m.json of world-atlas 2.0.2")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "gazetteer", help="the gazetteer data")
    parser.add_argument("--tolerance", type=float, default=0.02, help="simplification, degrees (default 0.02)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for needed in (args.world_atlas, args.shared):
        if not needed.exists():
            print(f"error: {needed} does not exist", file=sys.stderr)
            return 2
    features = country_features(args.world_atlas, args.tolerance)
    features.append(syria_governorates(args.shared, args.tolerance / 2))
    features.append(sudan_states(args.shared, args.tolerance))
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{len(features)} features, {len(text) / 1024:.0f} KiB -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
