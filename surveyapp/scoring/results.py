"""Frozen result types returned by the scoring package.

Every figure meant for display is optional: ``None`` means *not shown*, whether the
figure is missing (no answers) or hidden by the anonymity rules, and both carry the
same note, "not enough responses" (DESIGN.md rule 8). Floats are plain Python floats,
never NaN, so results serialise to JSON as they are (``dataclasses.asdict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .suppression import NOT_ENOUGH

if TYPE_CHECKING:
    from .intervals import Interval

__all__ = [
    "AlphaResult",
    "EmployerResult",
    "EquityResult",
    "Estimate",
    "GapResult",
    "PeerSummary",
    "ProportionResult",
    "Release",
    "TrendResult",
    "ValidityResult",
]


@dataclass(frozen=True)
class Estimate:
    """A mean on 0-100 (or a count of dimensions) with its 95 % interval.

    ``method``: "bca" (bootstrap, n >= 20), "t" (t-interval, n < 20), "t-cluster"
    (pooled over employers), "identical" (every answer the same: the interval is the
    point, ``note`` says so).
    """

    statistic: str
    n: int | None
    mean: float | None
    low: float | None
    high: float | None
    method: str | None
    note: str | None = None

    @property
    def shown(self) -> bool:
        return self.mean is not None

    @classmethod
    def hidden(cls, statistic: str) -> Estimate:
        """The one and only way a hidden or missing estimate looks."""
        return cls(statistic, None, None, None, None, None, NOT_ENOUGH)

    @classmethod
    def from_interval(cls, statistic: str, n: int, interval: Interval) -> Estimate:
        """A shown estimate from ``n`` answers; the interval's note (if any) carries over."""
        return cls(
            statistic,
            n,
            interval.estimate,
            interval.low,
            interval.high,
            interval.method,
            interval.note,
        )


@dataclass(frozen=True)
class ProportionResult:
    """A share (0-1) of answering workers, with its Wilson interval."""

    name: str
    item_id: str
    n: int | None
    share: float | None
    low: float | None
    high: float | None
    note: str | None = None

    @classmethod
    def hidden(cls, name: str, item_id: str) -> ProportionResult:
        return cls(name, item_id, None, None, None, None, NOT_ENOUGH)


@dataclass(frozen=True)
class GapResult:
    """Employer claim against workers' reports for one mirrored item.

    ``median_gap`` is the median of worker score minus claim, in points (negative:
    workers report less than the employer states). ``p_adjusted`` is Benjamini-Hochberg
    across the employer's tested items. ``flagged``: ``|median_gap| >= 10`` and
    ``p_adjusted < 0.05``. ``note`` is "too few to test" when fewer than 6 workers'
    answers differ from the claim: never read that as "no gap".
    """

    item_id: str
    claim: float | None
    n: int | None
    median_gap: float | None
    share_below: float | None
    p_value: float | None
    p_adjusted: float | None
    flagged: bool | None
    note: str | None = None


@dataclass(frozen=True)
class PeerSummary:
    """The peer distribution of one statistic over employers with n >= k."""

    statistic: str
    n_employers: int | None
    median: float | None
    q1: float | None
    q3: float | None
    note: str | None = None


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one dimension for a wave, with Feldt's interval.

    ``below_threshold`` flags alpha under 0.70. Not computed (``applicable`` False) for
    dimensions the instrument marks as lists of independent facts.
    """

    dimension_id: str
    applicable: bool
    n: int | None
    n_items: int
    alpha: float | None
    low: float | None
    high: float | None
    below_threshold: bool | None
    note: str | None = None


@dataclass(frozen=True)
class ValidityResult:
    """Pearson correlation of the JQI with the overall "good job" item."""

    n: int | None
    r: float | None
    low: float | None
    high: float | None
    note: str | None = None


@dataclass(frozen=True)
class EquityResult:
    """Differences among worker subgroups (Kruskal-Wallis), for one statistic.

    ``groups`` and ``estimates`` are shown only when every subgroup (and the workers
    in none of them) has at least k responses; the test only when every subgroup has.
    A p-value of 0.05 or more reads "no detectable difference", never "no difference".
    """

    statistic: str
    grouping: str
    groups: tuple[str, ...]
    estimates: tuple[Estimate, ...]
    h: float | None
    p_value: float | None
    note: str | None = None


@dataclass(frozen=True)
class TrendResult:
    """Change of one statistic between two waves.

    ``difference`` is current mean minus previous mean; ``cliffs_delta`` is
    P(current > previous) - P(current < previous) over pairs of responses.
    """

    statistic: str
    previous: Estimate
    current: Estimate
    difference: float | None
    p_value: float | None
    cliffs_delta: float | None
    note: str | None = None

    @classmethod
    def hidden(cls, statistic: str) -> TrendResult:
        """A change that is hidden or missing: both waves' estimates hidden too."""
        hidden = Estimate.hidden(statistic)
        return cls(statistic, hidden, hidden, None, None, None, NOT_ENOUGH)


@dataclass(frozen=True)
class EmployerResult:
    """Everything an employer's brief shows, already suppressed.

    ``n_responses`` is None below k. Response counts reveal no answers, so they get
    only this primary suppression (a hidden count may be recoverable from the wave's
    total; the figures made from those responses are what complementary suppression
    protects). ``estimates`` follow ``Release.statistics``; ``percentiles`` likewise (None where
    not shown). ``dimensions_at_threshold`` counts this employer's dimension means at or
    above their thresholds, given only when every dimension mean is shown.
    """

    employer: int
    n_responses: int | None
    estimates: tuple[Estimate, ...]
    percentiles: tuple[float | None, ...]
    dimensions_at_threshold: int | None
    proportions: tuple[ProportionResult, ...]
    gaps: tuple[GapResult, ...]
    equity: tuple[EquityResult, ...]
    #: Change since the previous wave, per statistic both waves have; empty without one.
    trend: tuple[TrendResult, ...] = ()

    def estimate(self, statistic: str) -> Estimate:
        for estimate in self.estimates:
            if estimate.statistic == statistic:
                return estimate
        raise KeyError(statistic)


@dataclass(frozen=True)
class Release:
    """A wave's results as released (DESIGN.md anonymity rule 3: computed once, at close).

    ``statistics`` names the summarised columns: "jqi", each dimension id, then
    "at_threshold" (mean number of dimensions at threshold per response). ``trend``
    (here and per employer) follows ``statistics``, skipping any the previous wave's
    instrument lacks.
    """

    instrument: str
    instrument_version: int
    instrument_checksum: str
    k: int
    living_wage: float | None
    seed: int
    n_resamples: int
    confidence: float
    n_responses: int | None
    statistics: tuple[str, ...]
    sector: tuple[Estimate, ...]
    sector_proportions: tuple[ProportionResult, ...]
    peers: tuple[PeerSummary, ...]
    reliability: tuple[AlphaResult, ...]
    validity: ValidityResult
    equity: tuple[EquityResult, ...]
    employers: tuple[EmployerResult, ...]
    #: The sector's change since the previous wave; empty without one.
    trend: tuple[TrendResult, ...] = ()

    def employer(self, index: int) -> EmployerResult:
        return self.employers[index]
