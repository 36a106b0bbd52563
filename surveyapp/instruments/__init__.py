"""Instruments: versioned survey definitions kept as data in ``instruments/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..paths import instruments_dir
from .loader import InstrumentError, load_instrument, parse_instrument
from .model import ClaimRule, Dimension, Instrument, Item, Option, Page, RatioBand, Settings

__all__ = [
    "ClaimRule",
    "Dimension",
    "Instrument",
    "InstrumentError",
    "Item",
    "Option",
    "Page",
    "RatioBand",
    "Settings",
    "get_instrument",
    "instrument_path",
    "load_instrument",
    "parse_instrument",
]


def instrument_path(key: str, version: int, directory: Path | None = None) -> Path:
    """The file of instrument ``key`` at ``version``: ``instruments/<key>-v<version>.toml``."""
    return (directory or instruments_dir()) / f"{key}-v{version}.toml"


@cache
def get_instrument(key: str, version: int) -> Instrument:
    """Load (once per process) a published instrument shipped with surveyapp."""
    instrument = load_instrument(instrument_path(key, version))
    if (instrument.key, instrument.version) != (key, version):
        raise InstrumentError(
            f"{instrument.source}: its key/version {instrument.key}-v{instrument.version}"
            f" do not match the file name"
        )
    return instrument
