"""The employer aggregates CSV: each employer's figures as the sector results page shows them.

One row per employer of the round, in code-point order of names (the order of the
responses CSV): ``employer``, ``n_responses``, then ``jqi_mean``, ``jqi_low``,
``jqi_high`` and the same three for each dimension (``PAY_mean``, ...), every number
to its last digit from the stored release. What the page does not show is empty, and
every reason for it reads the same (DESIGN.md rule 8): an employer below *k*, one
hidden by complementary suppression and one of the round's employers with no
response at all get rows that differ only in the name. As on the page, the count is
given only beside a shown Job Quality Index.

Pure Python (the figures are the stored release's JSON); employer names that a
spreadsheet would read as a formula get a leading apostrophe (:func:`~.offline.safe_cell`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .offline import EMPLOYER_COLUMN, safe_cell

__all__ = ["aggregate_columns", "write_aggregates_csv"]

#: Release statistics that are not in the table: the page shows the count of
#: dimensions at threshold for the sector only.
_LEFT_OUT = ("at_threshold",)


def _statistics(figures: dict[str, Any]) -> list[str]:
    return [s for s in figures.get("statistics", []) if s not in _LEFT_OUT]


def aggregate_columns(figures: dict[str, Any]) -> list[str]:
    """The header of the aggregates CSV of a release."""
    columns = [EMPLOYER_COLUMN, "n_responses"]
    for statistic in _statistics(figures):
        columns += [f"{statistic}_mean", f"{statistic}_low", f"{statistic}_high"]
    return columns


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    # repr keeps every digit; + 0.0 turns -0.0 into 0.0, which no spreadsheet misreads.
    return repr(float(value) + 0.0)


def _row(entry: dict[str, Any], statistics: Sequence[str]) -> list[str]:
    by_statistic = {e["statistic"]: e for e in entry.get("estimates", [])}
    jqi_shown = by_statistic.get("jqi", {}).get("mean") is not None
    cells = [_number(entry.get("n_responses") if jqi_shown else None)]
    for statistic in statistics:
        estimate = by_statistic.get(statistic, {})
        if estimate.get("mean") is None:
            cells += ["", "", ""]  # an interval without its mean would be a hint
        else:
            cells += [_number(estimate.get(key)) for key in ("mean", "low", "high")]
    return cells


def write_aggregates_csv(
    out: TextIO, figures: dict[str, Any], without_responses: Iterable[str] = ()
) -> None:
    """Write the aggregates of a stored release.

    ``without_responses``: names of the round's employers with no response (they are
    not in the release); each gets a row of empty cells, like a hidden employer.
    """
    statistics = _statistics(figures)
    rows = [(str(e.get("employer", "")), _row(e, statistics)) for e in figures.get("employers", [])]
    named = {name for name, _cells in rows}
    empty = [""] * (1 + 3 * len(statistics))
    rows += [(name, list(empty)) for name in set(without_responses) - named]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(aggregate_columns(figures))
    for name, cells in sorted(rows, key=lambda row: row[0]):
        writer.writerow([safe_cell(name), *cells])
