"""Job-quality scoring: pure functions over numpy arrays, verified against scipy.

No Flask, SQLAlchemy or file I/O here: the app (answers read from the database) and
the offline ``surveyapp score`` command (answers read from a CSV export) call the same
:func:`release`, so both show the same numbers to the last digit.

Data contract
-------------
* ``codes``: integer matrix (n_responses x n_items), one column per choice item in an
  explicit list of item ids (default :func:`choice_item_ids`: every choice item in
  file order); the stored option code, 0 for a blank answer.
* ``employers``: employer index 0..E-1 of each response.
* ``living_wage``: the partnership's hourly living wage.
* ``k``: the partnership's minimum reporting group size (at least 3).

Method and sources: DESIGN.md "Scoring", MEASUREMENT.md section 4, and
the "How scores are computed" section of README.md.
"""

from .dimensions import ResponseScores, ScoringPlan, score_responses
from .equity import equity
from .gaps import claim_scores, employer_gaps, gap_item_ids
from .intervals import (
    Interval,
    bca_intervals,
    data_rng,
    mean_interval,
    ratio_t_interval,
    t_interval,
    wilson_interval,
)
from .items import choice_item_ids, code_table, score_items, wage_band_score
from .peers import peer_comparison, percentile_ranks
from .proportions import Proportion, default_proportions
from .ranktests import (
    MannWhitney,
    benjamini_hochberg,
    kruskal_wallis,
    mann_whitney,
    wilcoxon_pratt,
    wilcoxon_pratt_grouped,
)
from .release import PreviousWave, canonical_order, release, statistic_names
from .reliability import criterion_validity, cronbach_alpha, wave_reliability
from .results import (
    AlphaResult,
    EmployerResult,
    EquityResult,
    Estimate,
    GapResult,
    PeerSummary,
    ProportionResult,
    Release,
    TrendResult,
    ValidityResult,
)
from .suppression import NOT_ENOUGH, Disclosure, disclose
from .trend import employer_trends, trend

#: Changes whenever a change to this package can change a stored figure (a method, a
#: rule, the JSON shape); a stored release records the version that computed it, and
#: ``surveyapp results recompute`` brings older ones up to date.
SCORING_VERSION = "2026.12-2"

__all__ = [
    "NOT_ENOUGH",
    "SCORING_VERSION",
    "AlphaResult",
    "Disclosure",
    "EmployerResult",
    "EquityResult",
    "Estimate",
    "GapResult",
    "Interval",
    "MannWhitney",
    "PeerSummary",
    "PreviousWave",
    "Proportion",
    "ProportionResult",
    "Release",
    "ResponseScores",
    "ScoringPlan",
    "TrendResult",
    "ValidityResult",
    "bca_intervals",
    "benjamini_hochberg",
    "canonical_order",
    "choice_item_ids",
    "claim_scores",
    "code_table",
    "criterion_validity",
    "cronbach_alpha",
    "data_rng",
    "default_proportions",
    "disclose",
    "employer_gaps",
    "employer_trends",
    "equity",
    "gap_item_ids",
    "kruskal_wallis",
    "mann_whitney",
    "mean_interval",
    "peer_comparison",
    "percentile_ranks",
    "ratio_t_interval",
    "release",
    "score_items",
    "score_responses",
    "statistic_names",
    "t_interval",
    "trend",
    "wage_band_score",
    "wave_reliability",
    "wilcoxon_pratt",
    "wilcoxon_pratt_grouped",
    "wilson_interval",
]
