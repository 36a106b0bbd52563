"""Everything one employer's results page shows, formatted, from a stored release.

Nothing is scored here: every figure is read from the release stored at close
(anonymity rule 3), from the employer's own entry and the wave's peer summaries.
A hidden figure is None there and is shown exactly like a missing one (rule 8).
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from ..results_view import (
    HEADLINES,
    Names,
    by_statistic,
    equity_sections,
    figure,
    instrument_of,
    score,
    trend_rows,
)
from .advice import practices
from .gap_view import gap_lines
from .peer_chart import PeerRow, against_peers

#: How many of the weakest dimensions get a "where to start" list.
WEAKEST = 2


def is_hidden(entry: dict[str, Any] | None) -> bool:
    """True when none of the employer's figures may be shown.

    That is the case below k responses and when complementary suppression hid the
    employer; both must read the same, so the count (which a release may still give
    for the second case) is not looked at.
    """
    if entry is None:
        return True
    return all(e.get("mean") is None for e in entry.get("estimates") or [])


def _peer_row(statistic: str, label: str, own: dict[str, Any], peer: dict[str, Any]) -> PeerRow:
    shown = own.get("mean") is not None
    return PeerRow(
        label,
        own.get("mean") if shown else None,
        own.get("low") if shown else None,
        own.get("high") if shown else None,
        peer.get("median"),
        peer.get("q1"),
        peer.get("q3"),
    )


def _table_row(
    statistic: str,
    label: str,
    own: dict[str, Any],
    peer: dict[str, Any],
    percentile: float | None,
) -> dict[str, Any]:
    mine = figure(label, own)
    return {
        "statistic": statistic,
        "figure": mine,
        "median": score(peer.get("median")),
        "q1": score(peer.get("q1")),
        "q3": score(peer.get("q3")),
        # A rank only beside a shown mean (the release gives none otherwise either).
        "percentile": None
        if mine.mean is None or percentile is None
        else format_decimal(percentile, "0"),
    }


def _ranked(means: list[tuple[float, int, str, str]]) -> list[dict[str, str | None]]:
    """Dimensions lowest first (ties in the instrument's order)."""
    return [
        {"id": statistic, "name": name, "mean": score(mean)}
        for mean, _order, statistic, name in sorted(means)
    ]


def employer_dashboard(figures: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The page's content for one employer's ``entry`` of ``figures["employers"]``.

    ``figures`` is shared between requests and is never changed.
    """
    names = Names(instrument_of(figures))
    statistics = list(figures.get("statistics", []))
    dimensions = [s for s in statistics if s not in HEADLINES]
    own = by_statistic(entry.get("estimates") or [])
    peers = by_statistic(figures.get("peers") or [])
    percentiles = dict(zip(statistics, entry.get("percentiles") or [], strict=False))
    threshold = names.instrument.settings.threshold if names.instrument else None

    order = ["jqi", *dimensions]
    rows = [
        _table_row(s, names.dimension(s), own.get(s, {}), peers.get(s, {}), percentiles.get(s))
        for s in order
    ]
    shown = [
        (float(own[s]["mean"]), i, s, names.dimension(s))
        for i, s in enumerate(dimensions)
        if own.get(s, {}).get("mean") is not None
    ]
    ranked = _ranked(shown)
    jqi_peer = peers.get("jqi", {})
    jqi_rank = percentiles.get("jqi") if own.get("jqi", {}).get("mean") is not None else None
    trend = trend_rows(entry.get("trend") or [], names)
    return {
        "n_responses": entry.get("n_responses"),
        "jqi": figure(names.dimension("jqi"), own.get("jqi")),
        "jqi_peer": {
            "median": score(jqi_peer.get("median")),
            "n_employers": jqi_peer.get("n_employers"),
        },
        "jqi_rank": None if jqi_rank is None else format_decimal(jqi_rank, "0"),
        "at_threshold": entry.get("dimensions_at_threshold"),
        # The threshold as the instrument sets it: "50", not "50.0".
        "threshold": None if threshold is None else format_decimal(threshold, "0.##"),
        "n_dimensions": len(dimensions),
        "rows": rows,
        "chart": against_peers(
            [_peer_row(s, names.dimension(s), own.get(s, {}), peers.get(s, {})) for s in order],
            _(
                "Your Job Quality Index and your score on each dimension, on 0 to 100, with"
                " its %(level)s interval, against the middle half and the median of the"
                " employers in this round",
                level=format_percent(float(figures.get("confidence") or 0.95)),
            ),
            threshold,
        ),
        "strongest": ranked[-1] if len(ranked) >= 2 else None,
        "weakest": ranked[0] if len(ranked) >= 2 else None,
        "start": [
            {"name": d["name"], "practices": practices(str(d["id"]))}
            for d in ranked[:WEAKEST]
            if len(ranked) >= 2
        ],
        "gaps": gap_lines(entry.get("gaps") or [], names, figures.get("living_wage")),
        "trend": trend,
        "trend_jqi": next((t for t in trend if t["statistic"] == "jqi" and t["share"]), None),
        "equity": equity_sections(entry.get("equity") or [], names),
    }
