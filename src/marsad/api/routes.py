"""``/api/v1``: events, documents, statistics, review, session and health (docs/api.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from difflib import get_close_matches
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from marsad import __version__
from marsad.api import queries
from marsad.api.auth import Session, check_csrf, load_session, reader, reviewer, set_cookie
from marsad.api.users import REVIEW_ROLES
from marsad.errors import ConfigError, MarsadError
from marsad.store import export, review

router = APIRouter(prefix="/api/v1")

EXAMPLE_EVENT = {
    "event_id": "MRS1A2B3C4D5E6F",
    "event_type": "explosions_remote_violence",
    "sub_event_type": "air_drone_strike",
    "date": "2018-07-05",
    "location": {
        "name": "بصرى الشام",
        "name_en": "Busra Esh-Sham",
        "country": "SY",
        "admin1": "Dar'a",
        "lat": 32.5167,
        "lon": 36.4833,
        "geo_precision": 1,
    },
    "actor1": {"name": "الطيران الروسي", "canonical": "Military Forces of Russia", "inter": 8, "country": "RU"},
    "actor2": None,
    "fatalities": 4,
    "fatalities_min": 4,
    "fatalities_max": 6,
    "independent_sources": 2,
    "notes": "On 5 July 2018, Military Forces of Russia carried out air or drone strikes on Busra Esh-Sham …",
    "review_state": "unreviewed",
    "timestamp": 1530800000,
}


EXAMPLE_DETAIL = {
    **EXAMPLE_EVENT,
    "mentions": [
        {
            "mention_id": "enab/2018/07/05/busra#0",
            "doc_id": "enab/2018/07/05/busra",
            "outlet": "عنب بلدي",
            "url": "https://example.org/busra",
            "title": "غارات روسية على بصرى الشام",
            "published": "2018-07-05",
            "event_type": "explosions_remote_violence",
            "sub_event_type": "air_drone_strike",
            "date": "2018-07-05",
            "fatalities": 4,
            "sources": [{"name": "المرصد السوري", "canonical": "Syrian Observatory for Human Rights", "kind": "ngo"}],
            "evidence": [
                {"start": 0, "end": 63, "text": "شن الطيران الروسي غارات على بصرى الشام ما أدى إلى مقتل 4 مدنيين"}
            ],
        }
    ],
    "claims": [
        {
            "source": "Syrian Observatory for Human Rights",
            "source_kind": "ngo",
            "outlet": "عنب بلدي",
            "doc_id": "enab/2018/07/05/busra",
            "mention_id": "enab/2018/07/05/busra#0",
            "fatalities": 4,
            "injured": None,
        }
    ],
    "history": [
        {
            "at": "2018-07-06T09:12:00+00:00",
            "user": "amal",
            "action": "edit",
            "before": {"fatalities": 4},
            "after": {"fatalities": 5},
            "reason": "the observatory raised its toll",
        }
    ],
}
EXAMPLE_DOCUMENT = {
    "doc_id": "enab/2018/07/05/busra",
    "title": "غارات روسية على بصرى الشام",
    "url": "https://example.org/busra",
    "published": "2018-07-05",
    "outlet": "عنب بلدي",
    "text": "شن الطيران الروسي غارات على بصرى الشام ما أدى إلى مقتل 4 مدنيين بحسب المرصد.",
    "spans": [
        {
            "start": 0,
            "end": 63,
            "mention_id": "enab/2018/07/05/busra#0",
            "event_id": "MRS1A2B3C4D5E6F",
            "event_type": "explosions_remote_violence",
            "sub_event_type": "air_drone_strike",
        }
    ],
}
EXAMPLE_STATS = {
    "daily": [{"date": "2018-07-05", "event_type": "explosions_remote_violence", "count": 2, "fatalities": 7}],
    "areas": [{"country": "SY", "admin1": "Dar'a", "count": 2, "fatalities": 7}],
    "total": 2,
}


def _json_example(example: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}}


def _store(request: Request) -> Any:
    return request.app.state.store


def _query_names(dependant: Any) -> set[str]:
    """The query parameters a route and its dependencies declare (by their names in the URL)."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _refuse_unknown_parameters(request: Request) -> None:
    """422 for a query parameter the route does not know: a misspelt filter (``evnt_type=``,
    ``from=``) would otherwise be ignored and answer with every event."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        near = get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise ConfigError(f"unknown parameter {unknown[0]!r}{hint}; this endpoint takes {', '.join(sorted(known))}")


def _filters(
    request: Request,
    country: Annotated[
        str | None, Query(description="ISO2/ISO3 code, English or Arabic name: SY, Syria, سوريا")
    ] = None,
    admin1: Annotated[str | None, Query(description="Province: Daraa, Dar'a or درعا")] = None,
    event_type: Annotated[
        str | None, Query(description="battles, explosions_remote_violence, or ACLED's label")
    ] = None,
    sub_event_type: Annotated[str | None, Query(description="air_drone_strike or 'Air/drone strike'")] = None,
    date_from: Annotated[str | None, Query(description="Earliest date, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(description="Latest date, YYYY-MM-DD")] = None,
    actor: Annotated[str | None, Query(description="Part of an actor's name (Arabic or English)")] = None,
    bbox: Annotated[
        str | None, Query(description="minlon,minlat,maxlon,maxlat", examples=["35.9,32.3,36.9,33.0"])
    ] = None,
    min_sources: Annotated[int | None, Query(ge=0, description="At least this many independent sources")] = None,
    review_state: Annotated[
        str | None,
        Query(alias="review", description="unreviewed, accepted, edited, rejected or all (default: all but rejected)"),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=500, description="Words in the evidence, place names or notes (Arabic normalised)")
    ] = None,
) -> queries.Filters:
    _refuse_unknown_parameters(request)
    state = request.app.state
    return queries.build_filters(
        state.values,
        state.gazetteer,
        country=country,
        admin1=admin1,
        event_type=event_type,
        sub_event_type=sub_event_type,
        date_from=date_from,
        date_to=date_to,
        actor=actor,
        bbox=bbox,
        min_sources=min_sources,
        review_state=review_state,
        q=q,
    )


Readers = Annotated[Session, Depends(reader)]
Reviewers = Annotated[Session, Depends(reviewer)]
FiltersDep = Annotated[queries.Filters, Depends(_filters)]


# -- session and health ------------------------------------------------------------------------


@router.get(
    "/session",
    summary="Who is logged in, the CSRF token to send with POSTs, and the observatory's settings",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {"user": "amal", "role": "reviewer", "csrf_token": "…", "public": True, "tile_url": None}
                }
            }
        }
    },
)
def get_session(request: Request, response: Response) -> dict[str, Any]:
    session = load_session(request)
    if session.fresh:
        set_cookie(request, response, session)
    settings = request.app.state.settings
    return {
        "user": session.user.username if session.user else None,
        "role": session.user.role if session.user else None,
        "csrf_token": session.csrf,
        "public": settings.public,
        "tile_url": settings.tile_url,
    }


@router.get(
    "/health",
    summary="Liveness and the number of events",
    responses=_json_example({"status": "ok", "db": "sqlite", "events": 1204, "version": __version__}),
)
def health(request: Request) -> dict[str, Any]:
    """Open to all (uptime checks); a private observatory tells its number of events only to
    logged-in users."""
    store = _store(request)
    answer: dict[str, Any] = {"status": "ok", "db": store.engine.dialect.name}
    if request.app.state.settings.public or load_session(request).user is not None:
        answer["events"] = store.count(queries.EventQuery(review="all"))
    answer["version"] = __version__
    return answer


# -- events ------------------------------------------------------------------------------------


def _csv(found: Iterator[dict[str, Any]], admin: Any, extra: bool = False) -> Iterator[bytes]:
    """ACLED's CSV, as ``marsad export --format acled-csv`` writes it (``export.write_csv``), in
    chunks of events so a large download streams."""
    buffer = io.StringIO()
    chunk: list[dict[str, Any]] = []
    header = True
    for ev in _with_end(found):
        if ev is not None:
            chunk.append(ev)
        if chunk and (ev is None or len(chunk) >= 500):
            export.write_csv(chunk, buffer, admin=admin, extra=extra)
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            yield (text if header else text.split("\n", 1)[1]).encode("utf-8")
            header, chunk = False, []
    if header:
        export.write_csv([], buffer, admin=admin, extra=extra)
        yield buffer.getvalue().encode("utf-8")


def _with_end(found: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any] | None]:
    yield from found
    yield None


def _geojson(found: Iterator[dict[str, Any]], admin: Any) -> Iterator[bytes]:
    yield b'{"type": "FeatureCollection", "features": [\n'
    for n, ev in enumerate(found):
        buffer = io.StringIO()
        export.write_geojson([ev], buffer, flat=True, admin=admin)
        line = buffer.getvalue().split("\n")[1]  # the feature line of a one-event collection
        yield (("," if n else "") + line + "\n").encode("utf-8")
    yield b"]}\n"


@router.get(
    "/events",
    summary="Merged events, filtered, sorted and paged; also as CSV or GeoJSON",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {"events": [EXAMPLE_EVENT], "next_cursor": "WyItZGF0ZSIsIDAs…", "total": 1}
                },
                "text/csv": {},
                "application/geo+json": {},
            }
        }
    },
)
def list_events(
    request: Request,
    _: Readers,
    filters: FiltersDep,
    sort: Annotated[Literal["date", "-date", "fatalities", "-fatalities"], Query()] = "-date",
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT, description="Events per page")] = 100,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    fmt: Annotated[Literal["json", "geojson", "csv"], Query(alias="format")] = "json",
    mentions: Annotated[bool, Query(description="Include each event's mentions (json)")] = False,
    extra_columns: Annotated[
        bool, Query(description="csv: Marsad's columns (event_id ... review_state) after ACLED's 31")
    ] = False,
) -> Any:
    store = _store(request)
    if fmt == "json":
        found, following, total = queries.list_events(
            store, filters, sort=sort, limit=limit, cursor=cursor, with_mentions=mentions
        )
        # a response of our own: FastAPI would walk every value through jsonable_encoder first
        return JSONResponse({"events": found, "next_cursor": following, "total": total})
    admin = request.app.state.admin_lookup
    stamp = dt.date.today().isoformat()
    if fmt == "csv":
        body = _csv(queries.all_events(store, filters, sort), admin, extra_columns)
        name, media = f"marsad-events-{stamp}.csv", "text/csv; charset=utf-8"
    else:
        body = _geojson(queries.all_events(store, filters, sort), admin)
        name, media = f"marsad-events-{stamp}.geojson", "application/geo+json"
    return StreamingResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/events/{event_id}",
    summary="One event with its mentions, evidence, claims per source and review history",
    responses={**_json_example(EXAMPLE_DETAIL), 404: {"description": "No such event (or merged_into another)"}},
)
def get_event(request: Request, event_id: str, _: Readers) -> Any:
    store = _store(request)
    if "\x00" in event_id:  # no id holds one (and PostgreSQL's text cannot be compared with it)
        return JSONResponse({"detail": "no such event"}, status_code=404)
    found = queries.event_detail(store, event_id)
    if found is None:
        target = queries.merged_into(store, event_id)
        detail: dict[str, Any] = {"detail": f"no event {event_id}"}
        if target:
            detail = {"detail": f"event {event_id} was merged into {target}", "merged_into": target}
        return JSONResponse(detail, status_code=404)
    return found


@router.get(
    "/documents/{doc_id:path}",
    summary="A report's text and the spans that produced events",
    responses={**_json_example(EXAMPLE_DOCUMENT), 404: {"description": "No such document"}},
)
def get_document(request: Request, doc_id: str, _: Readers) -> Any:
    found = queries.document_detail(_store(request), doc_id) if "\x00" not in doc_id else None  # as events
    if found is None:
        return JSONResponse({"detail": f"no document {doc_id}"}, status_code=404)
    return found


@router.get(
    "/stats",
    summary="Daily counts by event type, by area or by both, and counts by area (same filters as /events)",
    responses=_json_example(EXAMPLE_STATS),
)
def get_stats(
    request: Request,
    _: Readers,
    filters: FiltersDep,
    by: Annotated[
        Literal["event_type", "area", "event_type_area"],
        Query(description="What the daily counts are split by: event type, area (country and admin1), or both"),
    ] = "event_type",
) -> dict[str, Any]:
    return queries.stats(_store(request), filters, by)


@router.get(
    "/filters",
    summary="Values for the dashboard's dropdowns, with labels",
    responses=_json_example(
        {
            "country": [{"value": "SY", "label": "Syria", "label_ar": "سوريا"}],
            "admin1": [{"value": "Dar'a", "label": "Dar'a"}],
            "event_type": [{"value": "battles", "label": "Battles"}],
            "sub_event_type": [
                {"value": "armed_clash", "label": "Armed clash", "event_type": "battles"},
            ],
            "review": [{"value": "unreviewed", "label": "unreviewed"}, {"value": "accepted", "label": "accepted"}],
            "sort": ["date", "-date", "fatalities", "-fatalities"],
        }
    ),
)
def get_filters(request: Request, _: Readers) -> dict[str, Any]:
    return queries.filter_values(request.app.state.values)


# -- review ------------------------------------------------------------------------------------


def _too_large(value: Any, where: str) -> str | None:
    """The first whole number in ``value`` beyond what a count column holds, by its field."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > queries.MAX_COUNT:
        return where
    if isinstance(value, dict):
        for key, item in value.items():
            found = _too_large(item, f"{where}.{key}")
            if found:
                return found
    return None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "reject", "edit"]
    changes: dict[str, Any] = Field(default_factory=dict, description="edit: field -> new value")
    reason: str = Field(default="", max_length=review.MAX_REASON)

    @field_validator("changes")
    @classmethod
    def _whole_numbers_in_range(cls, changes: dict[str, Any]) -> dict[str, Any]:
        for key, value in changes.items():
            field = _too_large(value, key)
            if field:
                raise ValueError(f"{field} is larger than {queries.MAX_COUNT:,}")
        return changes


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=2, max_length=100)
    reason: str = Field(default="", max_length=review.MAX_REASON)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mention_ids: list[Annotated[str, Field(max_length=600)]] = Field(min_length=1, max_length=1000)
    reason: str = Field(default="", max_length=review.MAX_REASON)


def _review_error(exc: MarsadError) -> HTTPException:
    if isinstance(exc, review.NotFound):
        return HTTPException(404, str(exc))
    return HTTPException(422, str(exc))


def _after_write(request: Request) -> None:
    request.app.state.values.clear()


@router.post(
    "/events/merge",
    summary="Merge events into the first one named (reviewer)",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"example": {"event_ids": ["MRSAAA", "MRSBBB"], "reason": "same strike"}}}
        }
    },
)
def merge(request: Request, body: MergeIn, session: Reviewers) -> Any:
    store = _store(request)
    try:
        survivor = review.merge_events(store, body.event_ids, reason=body.reason, user=session.user.username)  # type: ignore[union-attr]
    except MarsadError as exc:
        raise _review_error(exc) from None
    _after_write(request)
    return queries.event_detail(store, survivor)


@router.post(
    "/events/{event_id}/review",
    summary="Accept, reject or edit an event (reviewer)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "examples": {
                        "edit": {"value": {"action": "edit", "changes": {"fatalities": 5}, "reason": "SOHR corrected"}},
                        "reject": {"value": {"action": "reject", "reason": "not an event: a commemoration"}},
                    }
                }
            }
        }
    },
)
def review_event(request: Request, event_id: str, body: ReviewIn, session: Reviewers) -> Any:
    store = _store(request)
    try:
        review.review(
            store,
            event_id,
            body.action,
            changes=body.changes,
            reason=body.reason,
            user=session.user.username,  # type: ignore[union-attr]
        )
    except MarsadError as exc:
        raise _review_error(exc) from None
    _after_write(request)
    return queries.event_detail(store, event_id)


@router.post(
    "/events/{event_id}/split",
    summary="Move mentions out of an event into a new one (reviewer)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "example": {"mention_ids": ["afp/2018/07/05/nawa#0"], "reason": "a different strike, on Nawa"}
                }
            }
        }
    },
)
def split(request: Request, event_id: str, body: SplitIn, session: Reviewers) -> Any:
    store = _store(request)
    try:
        new_id = review.split_event(store, event_id, body.mention_ids, reason=body.reason, user=session.user.username)  # type: ignore[union-attr]
    except MarsadError as exc:
        raise _review_error(exc) from None
    _after_write(request)
    return queries.event_detail(store, new_id)


# -- ingest ------------------------------------------------------------------------------------


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="The report's text (Arabic)")
    published: dt.date | None = Field(default=None, description="Publication date, YYYY-MM-DD")
    url: str | None = Field(default=None, max_length=4000)
    title: str | None = Field(default=None, max_length=4000)
    outlet: str | None = Field(default=None, max_length=256)
    doc_id: str | None = Field(default=None, max_length=512, description="Default: api/ and a hash of the text")

    @field_validator("text", "url", "title", "outlet", "doc_id")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        # PostgreSQL's text cannot hold it (SQLite can): refused alike on both, as bad input
        if value is not None and "\x00" in value:
            raise ValueError("contains a NUL character (\\u0000)")
        return value


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[DocumentIn] = Field(min_length=1, max_length=500)


def _one_or_batch(value: Any) -> str:
    """``{"documents": [...]}`` is a batch, anything else one report: errors name only the shape
    that was sent (not both)."""
    return "batch" if isinstance(value, dict) and "documents" in value else "one"


DocumentsIn = Annotated[
    Annotated[DocumentIn, Tag("one")] | Annotated[BatchIn, Tag("batch")], Discriminator(_one_or_batch)
]


_INGEST_LOCK = threading.Lock()


def _token_or_reviewer(request: Request) -> Session:
    session = load_session(request)
    if session.user is None:
        raise HTTPException(
            401, "send Authorization: Bearer <token> (marsad users token NAME), or log in as a reviewer"
        )
    if session.user.role not in REVIEW_ROLES:
        raise HTTPException(
            403, f"user {session.user.username} is a {session.user.role}; ingesting needs a reviewer or admin"
        )
    if not session.bearer:
        check_csrf(request, session)
    return session


@router.post(
    "/documents",
    summary="Extract and ingest one report or a batch (API token, or reviewer session)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "example": {
                        "text": "درعا - شنّ الطيران الحربي غارات على بلدة طفس صباح اليوم، ما أدى إلى مقتل ثلاثة مدنيين.",
                        "published": "2018-07-05",
                        "url": "https://example.org/news/1",
                        "title": "غارات على ريف درعا",
                        "outlet": "example.org",
                    }
                }
            }
        }
    },
)
def post_documents(
    request: Request,
    session: Annotated[Session, Depends(_token_or_reviewer)],
    body: Annotated[DocumentsIn, Body()],
) -> Any:
    from marsad.batch import check_doc_id
    from marsad.ingest import ingest
    from marsad.models import RawDocument

    app = request.app
    client = f"user:{session.user.username}" if session.user else f"ip:{request.client.host if request.client else '?'}"
    wait = app.state.limiter.allow(client)
    if wait is not None:
        raise HTTPException(
            429, f"too many ingest requests: try again in {wait:.0f} s", headers={"Retry-After": str(int(wait) + 1)}
        )
    docs = body.documents if isinstance(body, BatchIn) else [body]
    raws = []
    for doc in docs:
        doc_id = doc.doc_id or "api/" + hashlib.sha256(doc.text.encode("utf-8")).hexdigest()[:16]
        try:
            check_doc_id(doc_id)
        except MarsadError as exc:
            raise HTTPException(422, f"doc_id: {exc}") from None
        if len(doc.text.encode("utf-8")) > app.state.max_document_bytes:
            raise HTTPException(413, f"document {doc_id} is larger than {app.state.max_document_bytes:,} bytes")
        raws.append(RawDocument(doc_id, doc.text, doc.published, doc.title, doc.url, doc.outlet))
    store = _store(request)
    extract = app.state.extractor()
    results: dict[str, Any] = {}
    failures: dict[str, str] = {}

    def recording(raw: RawDocument) -> Any:
        result = extract(raw)
        results[raw.doc_id] = result
        return result

    outcomes: list[dict[str, Any]] = []
    with _INGEST_LOCK:
        for raw in raws:
            before = store.document_hash(raw.doc_id)
            report = ingest(store, [raw], recording)
            if report.failures:
                failures[raw.doc_id] = report.failures[0]
            if report.failed:
                outcome = "failed"
            elif report.unchanged:
                outcome = "unchanged"
            else:
                outcome = "replaced" if before is not None else "added"
            outcomes.append({"doc_id": raw.doc_id, "outcome": outcome})
    _after_write(request)
    out = []
    for item in outcomes:
        doc_id = item["doc_id"]
        result = results.get(doc_id)
        entry: dict[str, Any] = {
            **item,
            "events": [ev.to_dict() for ev in result.events] if result is not None else [],
            "merged_into": queries.events_of_document(store, doc_id),
        }
        if doc_id in failures:
            entry["error"] = failures[doc_id]
        out.append(entry)
    status = 200 if all(o["outcome"] != "failed" for o in out) else 422
    return JSONResponse(json.loads(json.dumps({"documents": out}, default=str, ensure_ascii=False)), status_code=status)
