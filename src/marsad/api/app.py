"""``create_app(settings)``: the FastAPI application of ``marsad serve``.

It opens the store once (migrating it), mounts the API (``routes.py``), the login form, the
offline API reference at ``/docs`` (``/openapi.json`` rendered by a page of our own: no CDN), the
dashboard's pages and static files (``marsad.web``) when installed, and the middleware: security
headers, the request body limit and, only when configured, CORS.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from marsad import __version__
from marsad.api import queries, routes
from marsad.api.auth import Session, check_csrf, load_session, safe_next, set_cookie
from marsad.api.security import BodyLimit, HeadAsGet, RateLimiter, SecurityHeaders
from marsad.api.settings import LOGIN_FAILURES, LOGIN_WINDOW_S, ApiSettings, secret_key_for
from marsad.api.users import authenticate
from marsad.errors import ConfigError, MarsadError, StoreError
from marsad.settings import DEFAULT_MAX_DOCUMENT_BYTES

HERE = Path(__file__).parent
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
DESCRIPTION = """Marsad's observatory: merged conflict events extracted from Arabic news reports,
with their evidence, sources and review history. Reads are public unless the server runs with
`--private`; review needs a reviewer's session and its CSRF token; ingest needs an API token.
See docs/api.md for curl examples."""


def _extractor_factory(settings: ApiSettings) -> Callable[[], Callable[[Any], Any]]:
    """The extraction function, loaded on first use (the pipeline loads the gazetteer)."""
    loaded: list[Callable[[Any], Any]] = []
    lock = threading.Lock()

    def get() -> Callable[[Any], Any]:
        with lock:
            if not loaded:
                if settings.extractor is not None:
                    loaded.append(settings.extractor)
                else:
                    from marsad.pipeline import Pipeline
                    from marsad.settings import Settings

                    loaded.append(Pipeline.from_settings(Settings.from_env(gazetteer=settings.gazetteer)).run)
            return loaded[0]

    return get


def create_app(settings: ApiSettings) -> FastAPI:
    """The application over the store ``settings.db`` (opened, and migrated, now)."""
    from marsad.store import migrate, open_store
    from marsad.store.filters import gazetteer_admin_lookup, open_gazetteer_factory

    store = open_store(settings.db, create=settings.create)
    app = FastAPI(
        title="Marsad observatory API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    state = app.state
    state.settings = settings
    state.store = store
    state.secret = settings.secret_key or secret_key_for(migrate.sqlite_path(migrate.normalize_url(settings.db)))
    state.values = queries.Values(store)
    state.gazetteer = open_gazetteer_factory(settings.gazetteer)
    state.admin_lookup = gazetteer_admin_lookup(settings.gazetteer)
    state.limiter = RateLimiter(settings.rate_limit, settings.rate_window_s)
    state.login_failures = RateLimiter(LOGIN_FAILURES, LOGIN_WINDOW_S)
    state.extractor = _extractor_factory(settings)
    state.max_document_bytes = DEFAULT_MAX_DOCUMENT_BYTES
    app.router.add_event_handler("shutdown", store.close)

    _errors(app)
    app.include_router(routes.router)
    _pages(app)
    _web(app)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],  # reads only: another site's page may not ingest or review
            allow_headers=["Authorization"],  # a viewer's token, for a private observatory
            allow_credentials=False,
        )
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(ConfigError)
    async def bad_value(_: Request, exc: ConfigError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(MarsadError)
    async def other_error(_: Request, exc: MarsadError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        lines = []
        for err in exc.errors():
            loc = list(err.get("loc", ()))
            if loc[:1] == ["body"] and loc[1:2] in (["one"], ["batch"]):
                del loc[1]  # the tag of POST /documents' two shapes (routes.DocumentsIn), not a field
            where = ".".join(str(p) for p in loc if p not in ("body", "query", "path"))
            lines.append(f"{where or 'request'}: {err.get('msg')}")
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"detail": "; ".join(lines), "errors": errors}, status_code=422)


def _login_page(
    request: Request, session: Session, next_url: str, error: str | None, status: int = 200
) -> HTMLResponse:
    html = TEMPLATES.get_template("login.html").render(
        csrf_token=session.csrf, next_url=next_url, error=error, user=session.user
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if session.fresh:
        set_cookie(request, response, session)
    return response


def _pages(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return _login_page(request, load_session(request), safe_next(next), None)

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: str = Form(max_length=64),
        password: str = Form(max_length=1024),
        csrf_token: str = Form(default="", max_length=200),
        next: str = Form(default="/", max_length=2000),
    ) -> Response:
        session = load_session(request)
        check_csrf(request, session, csrf_token)
        failures = request.app.state.login_failures
        keys = (f"ip:{request.client.host if request.client else '?'}", f"user:{username}")
        wait = max((w for w in (failures.allow(k, count=False) for k in keys) if w is not None), default=None)
        if wait is not None:  # password guessing: from one address, or at one user from many
            message = f"Too many wrong passwords: try again in {int(wait) + 1} s"
            page = _login_page(request, session, safe_next(next), message, status=429)
            page.headers["Retry-After"] = str(int(wait) + 1)
            return page
        user = authenticate(request.app.state.store, username, password)
        if user is None:
            for key in keys:
                failures.allow(key)
            return _login_page(request, session, safe_next(next), "Wrong user name or password", status=401)
        fresh = Session(user, _new_csrf(), fresh=True)  # a new token on login
        response = RedirectResponse(safe_next(next), status_code=303)
        set_cookie(request, response, fresh)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: str = Form(default="", max_length=200)) -> Response:
        session = load_session(request)
        check_csrf(request, session, csrf_token)
        response = RedirectResponse("/", status_code=303)
        set_cookie(request, response, Session(None, _new_csrf(), fresh=True))
        return response

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(TEMPLATES.get_template("docs.html").render(version=__version__))

    app.mount("/api-static", StaticFiles(directory=HERE / "static"), name="api-static")


def _new_csrf() -> str:
    import secrets

    return secrets.token_urlsafe(24)


def _web(app: FastAPI) -> None:
    """The dashboard (``marsad.web``), when it is installed: its pages and static files."""
    pages: Any
    try:
        pages = importlib.import_module("marsad.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name not in ("marsad.web", "marsad.web.pages"):
            raise  # a module the dashboard needs is missing: a real error
        pages = None
    static = Path(__file__).parent.parent / "web" / "static"
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")
    if pages is not None:
        app.include_router(pages.router)
    else:

        @app.get("/", include_in_schema=False)
        def index() -> Response:
            return RedirectResponse("/docs", status_code=307)
