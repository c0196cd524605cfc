"""``python -m marsad``: the ``marsad`` command."""

from __future__ import annotations

from marsad.cli import main

if __name__ == "__main__":
    main()
