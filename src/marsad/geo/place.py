"""A gazetteer place being built, and the matching keys of its names.

Keys are ``marsad.text.normalize.name_key`` of every spelling, plus two derived forms that the
text writes differently from the sources:

- the **space-insensitive** key: ``بيت لاهيا`` is also written ``بيتلاهيا`` and ``كفرنبل`` is
  also written ``كفر نبل`` (both forms are stored, so matching needs one dictionary lookup);
- the key **without a leading generic word**: ``مديرية الشيخ عثمان`` is also ``الشيخ عثمان``
  (``مدينة``، ``محافظة``، ``بلدة``، ``قرية``، ``ناحية``، ``منطقة``، ``مديرية``، ``قضاء``، ``محلية`` …).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from marsad.text.normalize import name_key

BASE_RANK = {"country": 100.0, "admin1": 60.0, "admin2": 33.0, "admin3": 30.0, "city": 10.0, "community": 10.0}
BASE_RANK["neighbourhood"] = 5.0
# The feature class as a prior: capitals and seats are more likely meant than hamlets, named
# spots or abandoned places of the same name (GeoNames feature codes, OSM place values).
FEATURE_RANK = {
    "PPLC": 8.0,
    "PPLA": 5.0,
    "PPLA2": 3.0,
    "PPLA3": 1.0,
    "city": 4.0,
    "town": 2.0,
    "PPLL": -1.0,
    "hamlet": -1.0,
    "isolated_dwelling": -2.0,
    "locality": -2.0,
    "PPLQ": -3.0,
    "PPLH": -3.0,
    "PPLW": -3.0,
}
GENERIC_PREFIX = re.compile(
    r"^(?:مدينة|مدينه|محافظة|محافظه|بلدة|بلده|قرية|قريه|ناحية|ناحيه|منطقة|منطقه|شعبية|مديرية|مديريه|قضاء|قضا|"
    r"محلية|محليه|عزلة|عزله) "
)
# generic first words written joined to the name as often as apart (كفرنبل، بيتلاهيا، ديرالزور)
_JOINED_PREFIX = re.compile(r"^(كفر|بيت|دير|عين|تل|ابو|ام|بني|بير|راس) (?=\S)")
_SPLIT_PREFIX = re.compile(r"^(كفر|بيت|دير|عين|ابو|بني|راس)(?=\S{3,}$)")
_EN_ADMIN_AFFIX = re.compile(r"(?i)^(?:muhafazat|mohafazat|ostan-e)\s+|\s+(?:governorate|province|region|vilayeti)$")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


def arabic_keys(name: str) -> set[str]:
    """The keys of one Arabic spelling: as written, without a generic first word, and the
    space-insensitive forms."""
    v = name.strip()
    out: set[str] = set()
    for form in {v, GENERIC_PREFIX.sub("", v)}:
        key = name_key(form)
        if len(key) < 2 or key.isdigit():
            continue
        out.add(key)
        joined = _JOINED_PREFIX.sub(r"\1", key)
        if joined != key:
            out.add(joined)
        elif " " not in key:
            split = _SPLIT_PREFIX.sub(r"\1 ", key)
            if split != key:
                out.add(split)
        if key.count(" ") == 1 and len(key) <= 16:
            out.add(key.replace(" ", ""))  # "بيت لاهيا" written "بيتلاهيا"
    return out


def latin_keys(name: str) -> set[str]:
    """The keys of one Latin spelling (apostrophes dropped, admin affixes removed)."""
    v = name.strip()
    out: set[str] = set()
    for form in {v, v.replace("'", "").replace("`", ""), _EN_ADMIN_AFFIX.sub("", v)}:
        key = name_key(form)
        if len(key) >= 2 and not key.isdigit():
            out.add(key)
    return out


@dataclass
class Place:
    """A gazetteer row being built, with the raw name variants that become ``names`` keys.

    ``sources`` lists the source ids merged into it (``wof:…``, ``osm:n…``, ``geonames:…``);
    ``feature`` the feature class of its best source (GeoNames code or OSM place value).
    """

    id: str
    name_ar: str
    name_en: str
    country: str
    admin1: str
    admin2: str
    lat: float
    lon: float
    kind: str
    population: int | None = None
    variants: set[str] = field(default_factory=set)
    feature: str = ""
    admin1_ar: str = ""
    admin2_ar: str = ""
    sources: set[str] = field(default_factory=set)
    latin_variants: bool = True  # False: index the English name only (village-level sources)

    @property
    def rank(self) -> float:
        rank = BASE_RANK.get(self.kind, 10.0)
        if self.population and self.kind not in ("country", "admin1"):
            rank += 5.0 * math.log10(self.population + 1)
        if self.kind not in ("country", "admin1", "admin2", "admin3"):
            rank += FEATURE_RANK.get(self.feature, 0.0)
        return round(rank, 3)

    def has_arabic(self) -> bool:
        return bool(self.name_ar) or any(not v.isascii() for v in self.variants)

    def match_keys(self) -> set[str]:
        """The matching keys of every variant (Arabic with and without generic prefixes, English)."""
        out: set[str] = set()
        for raw in {self.name_ar, self.name_en, *self.variants}:
            v = raw.strip()
            if not v:
                continue
            if v.isascii() or not any("\u0600" <= c <= "\u06ff" for c in v):
                if self.latin_variants or v == self.name_en:
                    out |= latin_keys(v)
            else:
                out |= arabic_keys(v)
        return out
