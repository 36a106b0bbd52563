"""From an employer's answers to the claims it makes about its workers' answers.

Pure: no Flask, no database. An employer item that ``mirrors`` a worker item turns
its answer into one of that worker item's option codes through its ``claims`` rules;
:func:`surveyapp.scoring.claim_scores` then puts the code on the worker item's 0-100
scale, and :func:`surveyapp.scoring.employer_gaps` compares it with the workers'
scores (MEASUREMENT.md 4.8).

Which answer claims what, in ``employer-v1`` (against ``worker-v2``):

============  ===========  ==================================================
employer      worker item  how the answer maps to the worker option code
============  ===========  ==================================================
E1            PAY1         lowest starting wage -> the band holding it:
                           under $12 -> 1, $12-$14.99 -> 2, $15-$17.99 -> 3,
                           $18-$20.99 -> 4, $21-$23.99 -> 5, $24-$26.99 -> 6,
                           $27-$29.99 -> 7, $30-$34.99 -> 8, $35-$39.99 -> 9,
                           $40 or more -> 10
E3a_ft        BEN1         Yes -> 1 "Yes, and I have it"; No -> 4 "No"
E3b_ft        BEN2         Yes -> 1; No -> 2
E3c_ft        BEN3         Yes -> 1; No -> 2
E3d_ft        BEN4         Yes -> 1; No -> 2
E4            SCH1         days of notice: 0 -> 1, 1-2 -> 2, 3-6 -> 3, 7-13 -> 4,
                           14 or more -> 5
E7            SKL1         paid training hours: 0 -> 2 "No"; 1 or more -> 1 "Yes"
E9_together   VOI3         Yes -> 1; No -> 2
E15_<item>    <item>       prediction: each agree5 answer -> the same code
============  ===========  ==================================================

E15 covers PAY2, PAY4, BEN5, SCH5, SAF1, VOI1, VOI2, VOI4, RES1, RES2 and SEC5.
"Not sure" (98), "Prefer not to say" (99) and a blank (``None``, or 0 for a choice
question) make no claim. The other mirrored worker items (SCH3, SCH4, SAF2, SAF5,
SKL2, SKL3, SEC2, SEC3, SEC4) get no claim from employer-v1. The rules are data in
the employer file; this table describes that file, as ``instruments/README.md`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ..scoring.gaps import gap_item_ids
from .employer_checks import places_ok
from .model import Instrument, Item

__all__ = ["Answer", "claim_code", "claim_code_row", "claim_codes"]

#: An employer's answer: an option code for a choice item, a number (``int``, or a
#: ``Decimal`` for cents) for a number item; ``None`` when not answered or "Not sure".
Answer = int | Decimal | None


def claim_codes(
    employer_instrument: Instrument,
    worker_instrument: Instrument,
    answers: Mapping[str, Answer],
) -> dict[str, int]:
    """The worker option code each mirrored worker item is claimed at.

    Which answer claims what is the table in this module's docstring (for employer-v1);
    the rules are each mirroring item's ``claims`` in the employer file.

    :param employer_instrument: an instrument with ``mirrors_instrument``
        (``get_instrument("employer", 1)``).
    :param worker_instrument: the worker instrument it names (``worker-v2``).
    :param answers: the employer's answers by employer item id; items left out, or
        ``None``, are unanswered. A choice answer is the option code (98 "Not sure"
        claims nothing). A number answer is the number itself, ``int`` or ``Decimal``,
        never ``float`` (a float cannot hold $11.99 exactly); its "Not sure" or
        "Prefer not to say" is given as ``None``, since 98 could be 98 days.
    :returns: worker item id -> option code, only for items with a claim.
    :raises ValueError: for an answer to an item the instrument does not have, a code
        that is not one of the item's options, or a number outside the item's range or
        with more decimal places than its unit allows; or a worker instrument other
        than the one the employer instrument names.
    :raises TypeError: for an answer that is not an ``int`` or ``Decimal`` (or a
        ``Decimal`` to a choice question).
    """
    _check_pair(employer_instrument, worker_instrument)
    unknown = sorted(set(answers) - set(employer_instrument.item_ids))
    if unknown:
        raise ValueError(
            f"{employer_instrument.key}-v{employer_instrument.version} has no item {unknown[0]!r}"
        )
    codes: dict[str, int] = {}
    for item in employer_instrument.items:
        if item.mirrors is None:
            continue
        code = claim_code(item, answers.get(item.id))
        if code is not None:
            codes[item.mirrors] = code
    return codes


def claim_code_row(
    employer_instrument: Instrument,
    worker_instrument: Instrument,
    answers: Mapping[str, Answer],
) -> tuple[int, ...]:
    """One employer's row of the claims codes matrix, 0 where it made no claim.

    Columns are ``gap_item_ids(worker_instrument)``, so rows stacked over employers are
    the ``codes`` of ``scoring.claim_scores(worker_instrument, gap_item_ids(...), codes,
    living_wage=...)``.
    """
    codes = claim_codes(employer_instrument, worker_instrument, answers)
    return tuple(codes.get(item_id, 0) for item_id in gap_item_ids(worker_instrument))


def claim_code(item: Item, answer: Answer) -> int | None:
    """The worker option code that ``answer`` to the mirroring ``item`` claims, if any."""
    if answer is None or not item.claims:
        return None
    if isinstance(answer, bool) or not isinstance(answer, int | Decimal):
        raise TypeError(f"item {item.id!r}: answer {answer!r} is not an int or Decimal")
    if item.kind == "number":
        value = Decimal(answer)
        _check_number(item, value)
        for rule in item.claims:
            if rule.below is None or value < rule.below:
                return rule.code
        return None  # pragma: no cover - the loader makes the last band open
    if not isinstance(answer, int):
        raise TypeError(f"item {item.id!r}: a choice answer is an option code, not {answer!r}")
    if answer == 0:  # a blank in the codes convention
        return None
    option = item.option(answer)
    if option is None:
        raise ValueError(f"item {item.id!r}: {answer} is not one of its options")
    # A "missing" option has no rule: the loader refuses one, so it claims nothing.
    return next((rule.code for rule in item.claims if rule.answer == option.code), None)


def _check_number(item: Item, value: Decimal) -> None:
    low, high, unit = item.min_value, item.max_value, item.unit
    if low is None or high is None or unit is None:  # pragma: no cover - loader checks
        raise ValueError(f"item {item.id!r} has no range")
    if not value.is_finite() or not low <= value <= high:
        raise ValueError(f"item {item.id!r}: {value} is not between {low} and {high}")
    if not places_ok(unit, value):
        raise ValueError(f"item {item.id!r}: {value} has more decimal places than {unit!r}")


def _check_pair(employer: Instrument, worker: Instrument) -> None:
    name = f"{worker.key}-v{worker.version}"
    if employer.mirrors_instrument != name:
        raise ValueError(
            f"{employer.key}-v{employer.version} mirrors"
            f" {employer.mirrors_instrument or 'no instrument'}, not {name}"
        )
