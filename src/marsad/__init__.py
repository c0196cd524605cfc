"""Marsad (مرصد): Arabic conflict reports to a geocoded, deduplicated event database."""

__version__ = "0.1.0"
