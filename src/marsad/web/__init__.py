"""The observatory's dashboard: HTML pages (``pages.router``), scripts, styles, vendored map
libraries and the offline boundary layer, served by ``marsad serve`` (docs/web.md)."""
