r"""Reliability (Cronbach's alpha with Feldt's interval) and the JQI's criterion validity.

Cronbach's alpha of *k* items, with item variances :math:`\sigma^2_i` and the variance
of the summed score :math:`\sigma^2_X` (both with ``ddof=1``):

.. math:: \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i \sigma^2_i}{\sigma^2_X}\right).

Feldt's interval (Feldt, Woodruff & Salih 1987), with *n* respondents, level
:math:`1-c` and :math:`F` the F distribution with :math:`(n-1,\,(n-1)(k-1))` degrees of
freedom:

.. math::
    \left[\,1 - (1-\alpha)\,F^{-1}(1 - c/2),\;\; 1 - (1-\alpha)\,F^{-1}(c/2)\,\right].

Missing-data policy: *listwise*. Only respondents who answered every item of the
dimension enter its alpha (as in SPSS RELIABILITY and ``pingouin.cronbach_alpha(...,
nan_policy="listwise")``). Alpha is computed for the whole wave, pooled over employers,
because one employer's sample is too small (MEASUREMENT.md 4.4). It is flagged below
0.70 (Nunnally 1978) and not computed for dimensions the instrument marks
``reliability = "not_applicable"`` (lists of independent facts such as benefits offered,
where internal consistency has no meaning).

Criterion validity: the Pearson correlation of the JQI with the single "overall, this
is a good job" item (G1, scored 0-100), with a Fisher-z interval
:math:`\tanh(\operatorname{atanh} r \pm z_{1-c/2}/\sqrt{n-3})`.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16, 297-334.
Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
coefficient alpha. *Applied Psychological Measurement* 11(1), 93-103.
Nunnally, J. C. (1978). *Psychometric Theory* (2nd ed.). McGraw-Hill.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri
from scipy.stats import f as f_distribution

from ..instruments.model import Instrument
from ._arrays import as_values, check_confidence, check_k
from .ranktests import all_tied
from .results import AlphaResult, ValidityResult
from .suppression import NOT_ENOUGH

__all__ = [
    "ALPHA_FLAG",
    "cronbach_alpha",
    "criterion_validity",
    "wave_reliability",
]

#: Alpha below this is flagged (Nunnally 1978; a flag, not a pass/fail gate).
ALPHA_FLAG = 0.70
NOT_APPLICABLE = "not applicable: the items are independent facts"


def cronbach_alpha(scores: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Cronbach's alpha of a respondents-by-items matrix, with Feldt's interval.

    Rows with any NaN are dropped (listwise deletion).

    Returns
    -------
    alpha, low, high, n
        ``n`` is the number of complete rows used.

    Raises
    ------
    ValueError
        With fewer than 2 items, fewer than 2 complete rows, or a summed score with no
        variance.

    Examples
    --------
    Four respondents, three items (worked by hand in the tests):

    >>> a, lo, hi, n = cronbach_alpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]])
    >>> round(a, 4)
    0.9825
    """
    confidence = check_confidence(confidence)
    x = as_values(scores, "scores", ndim=2)
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2:
        raise ValueError("alpha needs at least 2 items")
    if n < 2:
        raise ValueError("alpha needs at least 2 complete rows")
    item_variance = x.var(axis=0, ddof=1).sum()
    total_variance = x.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        raise ValueError("alpha is undefined: the summed score has no variance")
    alpha = k / (k - 1) * (1 - item_variance / total_variance)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * f_distribution.ppf(1 - tail, df1, df2)
    high = 1 - (1 - alpha) * f_distribution.ppf(tail, df1, df2)
    return float(alpha), float(low), float(high), int(n)


def wave_reliability(
    instrument: Instrument,
    item_scores: ArrayLike,
    item_ids: Sequence[str],
    *,
    k: int,
    confidence: float = 0.95,
) -> tuple[AlphaResult, ...]:
    """Alpha with its interval for every dimension of the instrument, pooled over a wave.

    Parameters
    ----------
    item_scores : array_like, shape (n_responses, n_items)
        0-100 item scores (NaN missing), e.g. from :func:`~.items.score_items`.
    item_ids : sequence of str
        The item of each column.
    k : int
        Minimum reporting group size: alpha from fewer complete rows is not shown.
    """
    k = check_k(k)
    scores = as_values(item_scores, "item_scores", ndim=2)
    position = {item_id: column for column, item_id in enumerate(item_ids)}
    if len(position) != scores.shape[1]:
        raise ValueError("item_ids must name each column of item_scores once")
    results = []
    for dimension in instrument.dimensions:
        items = instrument.items_in(dimension.id)
        if dimension.reliability != "alpha":
            results.append(
                AlphaResult(
                    dimension.id, False, None, len(items), None, None, None, None, NOT_APPLICABLE
                )
            )
            continue
        try:
            columns = [position[item.id] for item in items]
        except KeyError as exc:
            raise ValueError(f"item {exc.args[0]!r} has no column in item_scores") from None
        block = scores[:, columns]
        complete = int((~np.isnan(block).any(axis=1)).sum())
        if complete < max(k, 2) or len(columns) < 2:
            results.append(
                AlphaResult(
                    dimension.id, True, None, len(items), None, None, None, None, NOT_ENOUGH
                )
            )
            continue
        try:
            alpha, low, high, n = cronbach_alpha(block, confidence)
        except ValueError:
            results.append(
                AlphaResult(
                    dimension.id,
                    True,
                    complete,
                    len(items),
                    None,
                    None,
                    None,
                    None,
                    "all answers identical",
                )
            )
            continue
        results.append(
            AlphaResult(dimension.id, True, n, len(items), alpha, low, high, alpha < ALPHA_FLAG)
        )
    return tuple(results)


def criterion_validity(
    jqi: ArrayLike, criterion: ArrayLike, *, k: int, confidence: float = 0.95
) -> ValidityResult:
    """Pearson correlation of the JQI with the criterion item, over complete pairs.

    Needs at least k pairs (and 4, for the Fisher interval); a constant variable gives
    no correlation ("all answers identical").
    """
    k = check_k(k)
    confidence = check_confidence(confidence)
    x = as_values(jqi, "jqi")
    y = as_values(criterion, "criterion")
    if x.shape != y.shape:
        raise ValueError("jqi and criterion must have the same length")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = int(x.size)
    if n < max(k, 4):
        return ValidityResult(None, None, None, None, NOT_ENOUGH)
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt((dx**2).sum() * (dy**2).sum())
    # One JQI spelled two ways (summation order) is still constant: its "deviations"
    # are rounding noise, and a correlation with them would be noise too.
    if denominator == 0 or all_tied(x) or all_tied(y):
        return ValidityResult(n, None, None, None, "all answers identical")
    r = float(np.clip((dx * dy).sum() / denominator, -1.0, 1.0))
    z = float(ndtri(0.5 + confidence / 2))
    if abs(r) == 1.0:
        return ValidityResult(n, r, r, r)
    centre = np.arctanh(r)
    half = z / np.sqrt(n - 3)
    return ValidityResult(n, r, float(np.tanh(centre - half)), float(np.tanh(centre + half)))
