"""The dashboard's HTML pages: ``GET /`` (map, timeline, table) and ``GET /events/{id}`` (evidence,
sources side by side, review), and the map's compact data, ``GET /api/v1/points`` (every filtered
event's position, type and toll in one small answer: 10,000 events in about 100 ms, where the full
JSON pages of ``/api/v1/events`` take seconds). ``create_app`` (``marsad.api.app``) includes
``router`` and serves ``static/`` at ``/static``.

The pages are small server-rendered shells (Jinja2, autoescaped); the scripts under ``static/js``
fill them from the JSON API, inserting every piece of report data as text, never as HTML. The
language is ``?lang=ar|en`` (remembered in a cookie), else the cookie, else Arabic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from marsad import __version__
from marsad.api import queries
from marsad.api.routes import FiltersDep, Readers
from marsad.models import EVENT_TYPES
from marsad.store.schema import events
from marsad.web.i18n import DEFAULT_LANG, LANGS, strings

HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True), auto_reload=False
)
LANG_COOKIE = "marsad_lang"
EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

router = APIRouter()


def page_lang(request: Request) -> tuple[str, bool]:
    """The page's language and whether it was chosen now (``?lang=``; then it is remembered)."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked, True
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LANGS:
        return kept, False
    return DEFAULT_LANG, False


def _needs_login(request: Request) -> Response | None:
    """A redirect to the login form when the server is private and nobody is logged in."""
    settings = request.app.state.settings
    if getattr(settings, "public", True):
        return None
    from marsad.api.auth import load_session

    if load_session(request).user is not None:
        return None
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _render(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    lang, chosen = page_lang(request)
    html = TEMPLATES.get_template(template).render(
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        other_lang="en" if lang == "ar" else "ar",
        t=strings(lang),
        version=__version__,
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if chosen:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request) -> Response:
    """The map, the timeline and the table of events, with the API's filters."""
    return _needs_login(request) or _render(request, "dashboard.html", page="dashboard")


@router.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
def event_page(request: Request, event_id: str) -> Response:
    """One event: its reports' evidence highlighted, the sources side by side, the review."""
    redirect = _needs_login(request)
    if redirect is not None:
        return redirect
    if not EVENT_ID.match(event_id):
        return _render(request, "event.html", status=404, page="event", event_id="")
    return _render(request, "event.html", page="event", event_id=event_id)


@router.get(
    "/api/v1/points",
    summary="Every filtered event's place, type and toll, compactly (the dashboard's map)",
    tags=["dashboard"],
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "total": 2,
                        "types": [["explosions_remote_violence", "air_drone_strike"], ["battles", "armed_clash"]],
                        "fields": ["event_id", "lat", "lon", "type", "fatalities", "date", "name"],
                        "points": [
                            ["MRS1A2B3C4D5E6F", 32.5167, 36.4833, 0, 5, "2024-05-14", "بصرى الشام"],
                            ["MRS0F1E2D3C4B5A", 32.7392, 36.0028, 1, None, "2024-05-15", "طفس"],
                        ],
                    }
                }
            }
        }
    },
)
def points(request: Request, _: Readers, filters: FiltersDep) -> Response:
    """The events ``GET /api/v1/events`` would list with the same filters, those with a place on
    the map, as rows of ``fields``: ``type`` indexes ``types`` (event type, sub-event type pairs);
    ``total`` counts every match, placed or not. Read from the events table's columns only (no
    JSON documents parsed), in one answer."""
    store = request.app.state.store
    e = events.c
    # the date as the database's text (YYYY-MM-DD on SQLite and PostgreSQL): no date objects made
    day = sa.cast(e.date, sa.String(10))
    columns = (e.event_id, e.lat, e.lon, e.sub_event_type, e.fatalities, day, e.location_name)
    with store._conn() as conn:
        total = queries.count_events(store, conn, filters)
        sel = queries._where(store, conn, sa.select(*columns), filters)
        rows = conn.execute(sel.where(e.lat.is_not(None), e.lon.is_not(None)).order_by(e.date, e.event_id)).all()
    kinds: dict[str, int] = {}
    found: list[list[Any]] = []
    for event_id, lat, lon, sub, fatalities, date, name in rows:
        kind = kinds.setdefault(sub, len(kinds))
        found.append([event_id, lat, lon, kind, fatalities, date, name or ""])
    return JSONResponse(
        {
            "total": total,
            "types": [[EVENT_TYPES.get(sub, ""), sub] for sub in kinds],
            "fields": ["event_id", "lat", "lon", "type", "fatalities", "date", "name"],
            "points": found,
        },
        headers={"Cache-Control": "no-store"},
    )
