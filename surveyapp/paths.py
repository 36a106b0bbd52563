"""Where the data that ships with surveyapp lives.

In a source checkout (``pip install -e .``) the top-level ``instruments/`` and
``migrations/`` folders are used directly; a built wheel carries copies under
``surveyapp/_data/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_data" / name


def instruments_dir() -> Path:
    return _data_dir("instruments")


def migrations_dir() -> Path:
    return _data_dir("migrations")
