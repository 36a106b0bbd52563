"""Item scores on 0-100 from stored answer codes.

Every answer is stored as a small integer code (``Option.code``, 1-99); 0 means the
question was left blank. An item's score for a code comes from the instrument file:

* ``scoring = "options"``: the option's ``score`` (0-100);
* ``scoring = "living_wage_ratio"``: the option's ``hourly`` band midpoint divided by the
  partnership's living wage, scored by the item's ``bands`` (the first band whose
  ``below`` the ratio is under; the last band is open);
* ``direction = "reverse"`` turns a score *s* into 100 - *s*.

Missing-data policy: a blank (0) and any option marked ``missing`` ("Not sure",
"Prefer not to say") score as missing (NaN), never as zero. A code that is not one of
the item's options is an error, not a missing value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument, Item
from ._arrays import MAX_CODE, as_codes

__all__ = ["choice_item_ids", "code_table", "score_items", "wage_band_score"]

_TABLE_SIZE = MAX_CODE + 1


def choice_item_ids(instrument: Instrument) -> tuple[str, ...]:
    """The default columns of a codes matrix: every choice item, in file order.

    Free-text items (``kind = "text"``) are never part of the matrix: their answers are
    stored apart from the response (DESIGN.md anonymity rule 4).
    """
    return tuple(item.id for item in instrument.items if item.kind == "choice")


def wage_band_score(item: Item, ratio: float) -> float:
    """Score of an hourly-wage to living-wage ``ratio`` under the item's ``bands``.

    Examples
    --------
    With the worker-v1 bands (below 0.8 -> 0, 1.0 -> 25, 1.2 -> 50, 1.5 -> 75, else 100)
    a ratio of exactly 1.0 is in the "1.0 to 1.2" band and scores 50.
    """
    if not item.bands:
        raise ValueError(f"item {item.id!r} has no wage bands")
    for band in item.bands:
        if band.below is None or ratio < band.below:
            return float(band.score)
    raise ValueError(f"item {item.id!r}: the last wage band must be open")  # pragma: no cover


def code_table(item: Item, living_wage: float | None = None) -> NDArray[np.float64]:
    """Score of every possible code of ``item``, as a lookup table of 100 entries.

    Entry *c* is the 0-100 score of code *c* after reverse coding, NaN for a blank (0),
    for a missing option, and for codes that are not options of the item (use
    :func:`valid_code_table` to tell those apart). Items whose options carry no score
    (context and subgroup questions) get a table of NaN.

    Parameters
    ----------
    item : Item
        A choice item of a loaded instrument.
    living_wage : float, optional
        The partnership's hourly living wage; required for ``living_wage_ratio`` items.
    """
    if item.kind != "choice":
        raise ValueError(f"item {item.id!r} is free text and has no codes")
    table = np.full(_TABLE_SIZE, np.nan)
    wage_ok = living_wage is not None and np.isfinite(living_wage) and living_wage > 0
    if item.scoring == "living_wage_ratio" and not wage_ok:
        raise ValueError(
            f"item {item.id!r} is scored against the living wage: give a positive"
            f" living_wage (got {living_wage!r})"
        )
    for option in item.options:
        if option.missing:
            continue
        if item.scoring == "living_wage_ratio":
            if option.hourly is None:  # pragma: no cover - the loader rejects this
                raise ValueError(f"item {item.id!r}: option {option.code} has no 'hourly'")
            score: float | None = wage_band_score(
                item, option.hourly / float(cast(float, living_wage))
            )
        else:
            score = None if option.score is None else float(option.score)
        if score is None:
            continue
        table[option.code] = 100.0 - score if item.direction == "reverse" else score
    return table


def valid_code_table(item: Item) -> NDArray[np.bool_]:
    """``True`` at 0 (blank) and at every option code of ``item``."""
    valid = np.zeros(_TABLE_SIZE, dtype=bool)
    valid[0] = True
    for option in item.options:
        valid[option.code] = True
    return valid


def resolve_items(instrument: Instrument, item_ids: Sequence[str] | None) -> tuple[Item, ...]:
    """The :class:`Item` of every column, checking that each is a choice item."""
    ids = choice_item_ids(instrument) if item_ids is None else tuple(item_ids)
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"item id {duplicate!r} names two columns")
    items = []
    for item_id in ids:
        try:
            item = instrument.item(item_id)
        except KeyError:
            raise ValueError(
                f"item {item_id!r} is not in instrument {instrument.key}-v{instrument.version}"
            ) from None
        if item.kind != "choice":
            raise ValueError(f"item {item_id!r} is free text and cannot be a codes column")
        items.append(item)
    return tuple(items)


def check_codes(items: Sequence[Item], codes: NDArray[np.integer], first_row: int = 0) -> None:
    """Raise :class:`ValueError` naming the first code that is not an option of its item.

    Vectorised per column (a loop over items, never over responses).
    """
    if codes.size == 0:
        return
    for column, item in enumerate(items):
        values = codes[:, column]
        out_of_range = (values < 0) | (values > MAX_CODE)
        bad = out_of_range.copy()
        inside = ~out_of_range
        bad[inside] = ~valid_code_table(item)[values[inside]]
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            allowed = ", ".join(str(o.code) for o in item.options)
            raise ValueError(
                f"row {first_row + row}, item {item.id!r}: code {int(values[row])} is not"
                f" one of its codes ({allowed}, or 0 for blank)"
            )


def score_items(
    instrument: Instrument,
    codes: ArrayLike,
    item_ids: Sequence[str] | None = None,
    *,
    living_wage: float | None = None,
) -> NDArray[np.float64]:
    r"""Item scores on 0-100 for every response and column.

    Parameters
    ----------
    instrument : Instrument
        The loaded instrument the answers belong to.
    codes : array_like of int, shape (n_responses, n_items)
        Stored option codes; 0 is a blank answer.
    item_ids : sequence of str, optional
        The item of each column. Default: every choice item in file order
        (:func:`choice_item_ids`).
    living_wage : float, optional
        Hourly living wage of the partnership; required when a column is scored by
        ``living_wage_ratio``.

    Returns
    -------
    ndarray of float64, shape (n_responses, n_items)
        The score of each answer; NaN where it is missing (blank, "Not sure", "Prefer
        not to say") and in every column whose item has no scores (context and
        subgroup questions).

    Raises
    ------
    ValueError
        For a code that is not an option of its item, naming the row and item.

    Notes
    -----
    For an agreement item the options score :math:`(x - 1) / 4 \times 100`, the
    "percent of maximum possible" transform (Cohen, Cohen, Aiken & West 1999), so codes
    1-5 give 0, 25, 50, 75 and 100; a reverse item gives :math:`100 - s`.

    Examples
    --------
    >>> from surveyapp.instruments import get_instrument
    >>> inst = get_instrument("worker", 1)
    >>> score_items(inst, [[4, 99], [1, 0]], ["PAY2", "PAY3"]).tolist()
    [[75.0, nan], [0.0, nan]]
    """
    items = resolve_items(instrument, item_ids)
    array = as_codes(codes, len(items))
    check_codes(items, array)
    scores = np.empty(array.shape, dtype=np.float64)
    for column, item in enumerate(items):
        np.take(code_table(item, living_wage), array[:, column], out=scores[:, column])
    return scores
