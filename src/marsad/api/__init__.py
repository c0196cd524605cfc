"""The web observatory's server: the REST API (``/api/v1``), login, review and ``marsad serve``.

``create_app(settings)`` builds the FastAPI application over one store; see ``docs/api.md``.
"""

from __future__ import annotations

from marsad.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]


def create_app(settings: ApiSettings) -> object:
    """The FastAPI application (imported lazily: the CLI does not load FastAPI unless serving)."""
    from marsad.api.app import create_app as build

    return build(settings)
