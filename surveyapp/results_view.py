"""Formatting a stored release for results pages: the staff sector dashboard and the
employer dashboard share these, so a figure reads the same on both.

Nothing is scored here. A hidden figure is None in the stored JSON and comes out as a
:class:`Figure` whose ``mean`` is None, which pages show exactly like a missing one,
"not enough responses" (anonymity rule 8). Scores on 0-100 get one decimal in the
page's language (59.9 in English, 59,9 in Spanish).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Any

from babel.numbers import get_decimal_symbol, get_minus_sign_symbol
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from .instruments import Instrument, get_instrument

#: Statistics of a release that are not dimensions.
HEADLINES = ("jqi", "at_threshold")


@cache
def _symbols(locale: str) -> tuple[str, str]:
    """The decimal sign and minus sign of ``locale``, looked up once."""
    return get_decimal_symbol(locale), get_minus_sign_symbol(locale)


#: The step each number of decimals rounds to.
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(6)}


def page_symbols() -> tuple[str, str]:
    """The page's decimal and minus signs, for a caller formatting many figures."""
    return _symbols(str(get_locale() or "en"))


def _fixed(value: float, places: int, symbols: tuple[str, str] | None = None) -> str:
    """``value`` with ``places`` decimals in the page's language, exactly as Babel's
    ``format_decimal(value, "0.00")`` writes it (the float read as its shortest decimal,
    rounded half to even, no grouping), without parsing the pattern and walking the
    locale data again for each of a dashboard's thousands of figures (that was half
    the time of a 200-employer sector page). ``symbols``: the page's, when the caller
    formats several numbers (finding the page's language costs more than the rest)."""
    if not math.isfinite(value) or abs(value) >= 1e15 or places not in _STEPS:
        return str(format_decimal(value, "0." + "0" * places))
    decimal_sign, minus = symbols or page_symbols()
    rounded = Decimal(repr(float(value))).quantize(_STEPS[places], ROUND_HALF_EVEN)
    text = f"{abs(rounded):f}".replace(".", decimal_sign)
    return minus + text if rounded.is_signed() else text


def score(value: float | None) -> str | None:
    """A 0-100 score (or a count of dimensions) as shown: one decimal, in the page's
    language (59.9 in English, 59,9 in Spanish)."""
    return None if value is None else _fixed(value, 1)


def decimals(value: float | None, places: int = 2) -> str | None:
    """A coefficient (alpha, r, p) with ``places`` decimals, in the page's language."""
    return None if value is None else _fixed(value, places)


@dataclass(frozen=True)
class Figure:
    """One estimate as shown; ``mean`` None means "not enough responses"."""

    label: str
    n: int | None
    mean: str | None
    low: str | None
    high: str | None


def figure(
    label: str, estimate: dict[str, Any] | None, symbols: tuple[str, str] | None = None
) -> Figure:
    """``symbols``: :func:`page_symbols`, when the caller makes a figure of each of many
    rows (finding the page's language costs more than formatting the figure)."""
    estimate = estimate or {}
    mean = estimate.get("mean")
    if mean is None:
        return Figure(label, None, None, None, None)
    symbols = symbols or page_symbols()
    low, high = estimate.get("low"), estimate.get("high")
    return Figure(
        label,
        estimate.get("n"),
        _fixed(mean, 1, symbols),
        None if low is None else _fixed(low, 1, symbols),
        None if high is None else _fixed(high, 1, symbols),
    )


class Names:
    """Dimension, grouping, group and item names in the page's language."""

    def __init__(self, instrument: Instrument | None) -> None:
        self.instrument = instrument
        locale = str(get_locale() or "en")
        languages = instrument.languages if instrument else ("en",)
        self.lang = locale if locale in languages else languages[0]

    def text(self, text: Any, fallback: str) -> str:
        """``text`` (a {language: words} table from the instrument) in the page's language."""
        if not text:
            return fallback
        return str(text.get(self.lang) or text.get("en") or fallback)

    def dimension(self, dimension_id: str) -> str:
        if dimension_id == "jqi":
            return _("Job Quality Index")
        if dimension_id == "at_threshold":
            return _("Dimensions at threshold")
        try:
            found = self.instrument.dimension(dimension_id) if self.instrument else None
        except KeyError:
            found = None
        return self.text(found.name if found else None, dimension_id)

    def grouping(self, grouping: str) -> str:
        known = {
            "language": _("Survey language"),
            "SHIFT": _("Shift"),
            "TENURE": _("Time with the employer"),
            "FTPT": _("Full or part time"),
        }
        if grouping in known:
            return known[grouping]
        item = self.item(grouping)
        return self.text(item.text if item else None, grouping)

    def group(self, grouping: str, group: str) -> str:
        if grouping == "language":
            return {"en": _("English"), "es": _("Spanish")}.get(group, group)
        item = self.item(grouping)
        for option in item.options if item else ():
            if option.label.get("en") == group:
                return self.text(option.label, group)
        return group

    def item(self, item_id: str) -> Any:
        try:
            return self.instrument.item(item_id) if self.instrument else None
        except KeyError:
            return None


def instrument_of(figures: dict[str, Any]) -> Instrument | None:
    """The worker instrument a release was scored with (None if it cannot be loaded)."""
    try:
        return get_instrument(str(figures["instrument"]), int(figures["instrument_version"]))
    except Exception:  # noqa: BLE001 - names fall back to ids; the figures still show
        return None


def by_statistic(estimates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["statistic"]: e for e in estimates}


def equity_sections(entries: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """Equity results (sector's or one employer's) as table sections."""
    sections = []
    for entry in entries:
        grouping = str(entry.get("grouping", ""))
        groups = list(entry.get("groups") or [])
        estimates = list(entry.get("estimates") or [])
        shown = bool(groups) and len(groups) == len(estimates)
        p_value = entry.get("p_value")
        rows = [
            figure(names.group(grouping, g), e) for g, e in zip(groups, estimates, strict=False)
        ]
        sections.append(
            {
                "label": names.grouping(grouping),
                "statistic": names.dimension(str(entry.get("statistic", "jqi"))),
                "rows": rows if shown else [],
                "tested": p_value is not None,
                "differs": p_value is not None and entry.get("note") is None,
                "p": decimals(p_value, 3),
            }
        )
    return sections


def trend_rows(entries: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """Changes since the previous wave (sector's or one employer's), one row a statistic.

    ``share`` is (Cliff's delta + 1) / 2 as a percentage: the share of pairs (a response
    this round, one last round) in which this round's is higher, ties counting half.
    """
    rows = []
    for entry in entries:
        difference, delta = entry.get("difference"), entry.get("cliffs_delta")
        shown = difference is not None and delta is not None
        rows.append(
            {
                "statistic": entry.get("statistic"),
                "label": names.dimension(str(entry.get("statistic"))),
                "previous": figure("", entry.get("previous")).mean if shown else None,
                "current": figure("", entry.get("current")).mean if shown else None,
                "difference": format_decimal(difference, "+0.0;-0.0") if shown else None,
                "share": format_decimal(100 * (delta + 1) / 2, "0")
                if shown and delta is not None
                else None,
            }
        )
    return rows
