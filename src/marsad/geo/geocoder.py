"""Recognition and resolution of one report's places, as ``marsad geocode`` runs them.

``Geocoder`` loads the lexicons and the gazetteer once; ``places(raw)`` finds the toponyms of a
report and resolves them with the whole report as context, the report's country hinted as
extraction hints it (the country the lexicons see named most often), and the text passed to the
resolver so stated distances and directions are checked against coordinates::

    geocoder = Geocoder(Gazetteer.open())
    for res in geocoder.places(RawDocument("r1", text)):
        res.toponym.name, res.entry, res.geo_precision, res.candidates[0].reasons
"""

from __future__ import annotations

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.resolve import Geoparser, Resolution
from marsad.lang.lexicon import CountryWord, Lexicons
from marsad.models import RawDocument
from marsad.text.prepare import prepare


class Geocoder:
    """Every place of a report, resolved (pure given the gazetteer and the lexicons)."""

    def __init__(self, gazetteer: Gazetteer, lexicons: Lexicons | None = None, country: str | None = None) -> None:
        self.gazetteer = gazetteer
        self.geoparser = Geoparser(gazetteer)
        self.lexicons = lexicons or Lexicons.load()
        self.country = country

    def places(self, raw: RawDocument) -> list[Resolution]:
        from marsad.geo.toponyms import find_toponyms  # looked up per call: tests stand in their own

        doc = prepare(raw)
        matches = self.lexicons.scan(doc)
        hint = self.country
        if hint is None:  # the country the report names most often, as extraction hints it
            named = [m.payload.country for m in matches if isinstance(m.payload, CountryWord)]
            hint = max(named, key=named.count) if named else None
        toponyms = find_toponyms(doc, self.gazetteer, lexicons=self.lexicons, matches=matches)
        return self.geoparser.resolve(toponyms, context_country=hint, text=raw.text)
