"""Errors carry one stable code at the end of their one line, also when they quote another error."""

from __future__ import annotations

from marsad.errors import ConfigError, StoreError
from marsad.store.review import ReviewError


def test_an_error_ends_with_its_code() -> None:
    assert str(StoreError("cannot open database /tmp/x.sqlite")) == "cannot open database /tmp/x.sqlite [M400]"


def test_an_error_quoting_another_keeps_only_its_own_code() -> None:
    inner = ConfigError("--country: unknown value 'ZZ' (did you mean SY?)")
    outer = ReviewError(f"changes: location.country: {inner}")
    assert str(outer) == f"changes: location.country: --country: unknown value 'ZZ' (did you mean SY?) [{outer.code}]"
    assert str(outer).count("[M") == 1
