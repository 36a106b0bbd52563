"""The sector dashboard of a closed round (issue 9): read only from the stored release.

Nothing is scored here: every figure comes from :func:`surveyapp.results.stored_release`,
the JSON ``surveyapp score`` writes for the round's export (anonymity rule 3). A hidden
figure is None in that JSON and is shown exactly like a missing one, "not enough
responses" (rule 8). Scores on 0-100 are shown with one decimal everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import charts
from ..accounts.access import staff_required
from ..extensions import db
from ..instruments import Instrument, get_instrument
from ..models import Employer, Wave
from ..results import NoStoredRelease, WaveNotClosed, stored_release, stored_release_row
from . import bp
from .common import own

#: Statistics of a release that are not dimensions.
_HEADLINES = ("jqi", "at_threshold")


#: Below this share of an employer's frontline workers, its figures are read with care.
LOW_RESPONSE_RATE = 0.30


def score(value: float | None) -> str | None:
    """A 0-100 score (or a count of dimensions) as shown: one decimal, in the page's
    language (59.9 in English, 59,9 in Spanish)."""
    return None if value is None else format_decimal(value, "0.0")


def _decimals(value: float | None, places: int = 2) -> str | None:
    """A coefficient (alpha, r, p) with ``places`` decimals, in the page's language."""
    return None if value is None else format_decimal(value, "0." + "0" * places)


@dataclass(frozen=True)
class Figure:
    """One estimate as shown; ``mean`` None means "not enough responses"."""

    label: str
    n: int | None
    mean: str | None
    low: str | None
    high: str | None


def _figure(label: str, estimate: dict[str, Any] | None) -> Figure:
    estimate = estimate or {}
    mean = estimate.get("mean")
    if mean is None:
        return Figure(label, None, None, None, None)
    return Figure(
        label,
        estimate.get("n"),
        score(mean),
        score(estimate.get("low")),
        score(estimate.get("high")),
    )


class _Names:
    """Dimension, grouping and group names in the page's language."""

    def __init__(self, instrument: Instrument | None) -> None:
        self.instrument = instrument
        locale = str(get_locale() or "en")
        languages = instrument.languages if instrument else ("en",)
        self.lang = locale if locale in languages else languages[0]

    def _text(self, text: Any, fallback: str) -> str:
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
        return self._text(found.name if found else None, dimension_id)

    def grouping(self, grouping: str) -> str:
        known = {
            "language": _("Survey language"),
            "SHIFT": _("Shift"),
            "TENURE": _("Time with the employer"),
            "FTPT": _("Full or part time"),
        }
        if grouping in known:
            return known[grouping]
        item = self._item(grouping)
        return self._text(item.text if item else None, grouping)

    def group(self, grouping: str, group: str) -> str:
        if grouping == "language":
            return {"en": _("English"), "es": _("Spanish")}.get(group, group)
        item = self._item(grouping)
        for option in item.options if item else ():
            if option.label.get("en") == group:
                return self._text(option.label, group)
        return group

    def _item(self, item_id: str) -> Any:
        try:
            return self.instrument.item(item_id) if self.instrument else None
        except KeyError:
            return None


def _instrument(figures: dict[str, Any]) -> Instrument | None:
    try:
        return get_instrument(str(figures["instrument"]), int(figures["instrument_version"]))
    except Exception:  # noqa: BLE001 - names fall back to ids; the figures still show
        return None


def _by_statistic(estimates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["statistic"]: e for e in estimates}


def _employers(figures: dict[str, Any], headcounts: list[int | None]) -> list[dict[str, Any]]:
    """Employers with a shown JQI first, highest first; then the others by name.

    ``headcounts`` holds each employer's frontline headcount, in figure order; a
    response rate is given only beside a shown figure (the count is shown there too).
    """
    rows = []
    for entry, headcount in zip(figures.get("employers", []), headcounts, strict=False):
        jqi = _by_statistic(entry.get("estimates", [])).get("jqi")
        figure = _figure(str(entry.get("employer", "")), jqi)
        n = entry.get("n_responses") if figure.mean is not None else None
        rate = n / headcount if n is not None and headcount else None
        rows.append(
            {
                "name": figure.label,
                "n": n,
                "jqi": figure,
                "value": (jqi or {}).get("mean"),
                "rate": None if rate is None else format_percent(rate),
                "headcount": headcount if rate is not None else None,
                "low_rate": rate is not None and rate < LOW_RESPONSE_RATE,
            }
        )
    shown = sorted((r for r in rows if r["jqi"].mean is not None), key=lambda r: -r["value"])
    hidden = sorted((r for r in rows if r["jqi"].mean is None), key=lambda r: r["name"].lower())
    return shown + hidden


def _reliability(figures: dict[str, Any], names: _Names) -> list[dict[str, Any]]:
    rows = []
    for entry in figures.get("reliability", []):
        alpha = entry.get("alpha")
        rows.append(
            {
                "label": names.dimension(entry["dimension_id"]),
                "applicable": bool(entry.get("applicable")),
                "alpha": _decimals(alpha),
                "low": _decimals(entry.get("low")),
                "high": _decimals(entry.get("high")),
                "warn": bool(entry.get("below_threshold")),
            }
        )
    return rows


def _validity(figures: dict[str, Any]) -> dict[str, Any] | None:
    found = figures.get("validity") or {}
    if found.get("r") is None:
        return None
    low, high = found.get("low"), found.get("high")
    return {
        "r": _decimals(found["r"]),
        "n": found.get("n"),
        "low": _decimals(low),
        "high": _decimals(high),
    }


def _equity(figures: dict[str, Any], names: _Names) -> list[dict[str, Any]]:
    sections = []
    for entry in figures.get("equity", []):
        grouping = str(entry.get("grouping", ""))
        groups = list(entry.get("groups") or [])
        estimates = list(entry.get("estimates") or [])
        shown = bool(groups) and len(groups) == len(estimates)
        p_value = entry.get("p_value")
        rows = [
            _figure(names.group(grouping, g), e) for g, e in zip(groups, estimates, strict=False)
        ]
        sections.append(
            {
                "label": names.grouping(grouping),
                "statistic": names.dimension(str(entry.get("statistic", "jqi"))),
                "rows": rows if shown else [],
                "tested": p_value is not None,
                "differs": p_value is not None and entry.get("note") is None,
                "p": _decimals(p_value, 3),
            }
        )
    return sections


def _trend(figures: dict[str, Any], names: _Names) -> list[dict[str, Any]]:
    rows = []
    for entry in figures.get("trend", []):
        difference, delta = entry.get("difference"), entry.get("cliffs_delta")
        shown = difference is not None and delta is not None
        rows.append(
            {
                "statistic": entry.get("statistic"),
                "label": names.dimension(str(entry.get("statistic"))),
                "previous": _figure("", entry.get("previous")).mean if shown else None,
                "current": _figure("", entry.get("current")).mean if shown else None,
                "difference": format_decimal(difference, "+0.0;-0.0") if shown else None,
                "share": format_decimal(100 * (delta + 1) / 2, "0") if shown else None,
            }
        )
    return rows


def _named(found: tuple[float, str]) -> dict[str, str | None]:
    return {"name": found[1], "mean": score(found[0])}


def _headcounts(session: Session, wave: Wave) -> list[int | None]:
    """Frontline headcounts of the release's employers, in figure order."""
    parameters = json.loads(stored_release_row(session, wave).parameters)
    ids = [int(i) for i in parameters.get("employer_ids", [])]
    found = dict(
        session.execute(
            select(Employer.id, Employer.frontline_headcount).where(Employer.id.in_(ids))
        ).all()
    )
    return [found.get(i) for i in ids]


def dashboard(
    figures: dict[str, Any], headcounts: list[int | None] | None = None
) -> dict[str, Any]:
    """Everything the page shows, formatted, from a stored release.

    ``headcounts``: each employer's frontline headcount in figure order, for response
    rates (none shown without it).
    """
    names = _Names(_instrument(figures))
    sector = _by_statistic(figures.get("sector", []))
    dimensions = [
        _figure(names.dimension(s), sector.get(s))
        for s in figures.get("statistics", [])
        if s not in _HEADLINES
    ]
    shown = [
        (sector[s]["mean"], names.dimension(s))
        for s in figures.get("statistics", [])
        if s not in _HEADLINES and sector.get(s, {}).get("mean") is not None
    ]
    employers = _employers(figures, headcounts or [None] * len(figures.get("employers", [])))
    threshold = names.instrument.settings.threshold if names.instrument else None
    return {
        "figures": figures,
        "jqi": _figure(names.dimension("jqi"), sector.get("jqi")),
        "at_threshold": _figure(names.dimension("at_threshold"), sector.get("at_threshold")),
        "n_dimensions": len(dimensions),
        "dimensions": dimensions,
        "profile_chart": charts.interval_bars(
            [
                charts.Bar(
                    d.label,
                    sector.get(s, {}).get("mean") if d.mean else None,
                    sector.get(s, {}).get("low"),
                    sector.get(s, {}).get("high"),
                )
                for s, d in zip(
                    [s for s in figures.get("statistics", []) if s not in _HEADLINES],
                    dimensions,
                    strict=True,
                )
            ],
            _("Sector mean score of each dimension on 0 to 100, with its interval"),
            threshold,
        ),
        "strongest": _named(max(shown)) if len(shown) >= 2 else None,
        "weakest": _named(min(shown)) if len(shown) >= 2 else None,
        "employers": employers,
        "spread_chart": charts.strip(
            [(r["name"], r["value"]) for r in employers if r["jqi"].mean is not None],
            _("Job Quality Index of each employer shown, on 0 to 100"),
        ),
        "reliability": _reliability(figures, names),
        "validity": _validity(figures),
        "equity": _equity(figures, names),
        "trend": _trend(figures, names),
    }


@bp.get("/waves/<int:wave_id>/results")
@staff_required
def results(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    try:
        figures = stored_release(db.session, wave)
    except WaveNotClosed:
        return render_template("staff/results.html", wave=wave, state="not_closed")
    except NoStoredRelease:
        return render_template("staff/results.html", wave=wave, state="missing")
    shown = dashboard(figures, _headcounts(db.session, wave))
    return render_template("staff/results.html", wave=wave, state="shown", **shown)
