"""Employer-instrument items (numbers and claims) and their checks, for :mod:`.loader`.

An employer item that ``mirrors`` a worker item carries ``claims``: rules that turn
the employer's answer into one of that worker item's option codes, so the claim can
be scored on the worker item's 0-100 scale (MEASUREMENT.md 4.8). A claim that points
at a question, or an answer, with no score would silently never be compared, so each
such mistake is refused here with the file, item and field.

Every function reports a problem through ``fail(where, field, message)``, the
loader's one-line error, so this module needs nothing from the loader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

from .model import ClaimRule, Instrument, Item, Option, Unit

Fail = Callable[[str, str, str], Exception]
#: The loader's ``text(value, where, field)``: a checked text in every language.
TextOf = Callable[[Mapping[str, str], str, str], dict[str, str]]

#: Dollars may have cents; days, hours and counts are whole numbers.
_PLACES: dict[str, int] = {"dollars_per_hour": 2, "days": 0, "hours": 0, "count": 0}


def as_decimal(value: int | float | Decimal) -> Decimal:
    """A TOML number as the decimal a person wrote (``11.99`` stays 11.99, not a float)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def places_ok(unit: str, value: Decimal) -> bool:
    """Whether ``value`` has no more decimal places than ``unit`` allows."""
    step = Decimal(1).scaleb(-_PLACES[unit])
    return value % step == 0


def check_fields(
    raw: Mapping[str, Any], where: str, role: str, kind: str, fail: Fail, *, employer: bool
) -> None:
    """Refuse fields of one kind of item, or of instrument, used on another."""
    if kind != "number":
        for key in ("unit", "min", "max"):
            if key in raw:
                raise fail(where, key, "applies only to number items")
    if not employer:
        for key in ("mirrors", "claims"):
            if key in raw:
                raise fail(where, key, "applies only to an instrument with 'mirrors_instrument'")
        if kind == "number":
            # Worker answers are stored as option codes 1-99, never as numbers.
            raise fail(
                where, "kind", "number items are only for an instrument with 'mirrors_instrument'"
            )
        return
    if role not in ("context", "comment"):
        raise fail(where, "role", "an employer instrument scores nothing itself: use 'context'")
    if "mirror" in raw:
        # `mirror` (worker side, a list) and `mirrors` (employer side) are easy to mix up.
        raise fail(
            where, "mirror", "an employer item names the worker item it mirrors in 'mirrors'"
        )


def number_item(
    raw: Mapping[str, Any], options: tuple[Option, ...], where: str, text: TextOf, fail: Fail
) -> Item:
    """A ``kind = "number"`` item; ``options`` are its scale or options, if any."""
    for key in ("dimension", "scoring", "bands", "direction", "max_length"):
        if key in raw:
            raise fail(where, key, "does not apply to a number item")
    # A number item's options are only its honest ways out ("Not sure"), shown beside
    # the box; the number itself is the answer.
    if any(not option.missing for option in options):
        raise fail(where, "options", "a number item's options must all be 'missing'")
    unit, low, high = number_range(raw, where, fail)
    return Item(
        id=raw["id"],
        role="context",
        kind="number",
        text=text(raw["text"], where, "text"),
        hint=text(raw["hint"], where, "hint") if "hint" in raw else None,
        required=bool(raw.get("required", False)),
        type=raw.get("type"),
        options=options,
        unit=unit,
        min_value=low,
        max_value=high,
        mirrors=raw.get("mirrors"),
        claims=claim_rules(raw, options, where, fail, number=True),
    )


def number_range(raw: Mapping[str, Any], where: str, fail: Fail) -> tuple[Unit, Decimal, Decimal]:
    """The ``unit``, ``min`` and ``max`` of a number item, checked."""
    for key in ("unit", "min", "max"):
        if key not in raw:
            raise fail(where, key, "a number item needs 'unit', 'min' and 'max'")
    unit = cast(Unit, raw["unit"])
    low, high = as_decimal(raw["min"]), as_decimal(raw["max"])
    for key, value in (("min", low), ("max", high)):
        if not places_ok(unit, value):
            raise fail(where, key, f"{value} has more decimal places than {unit!r} allows")
    if low >= high:
        raise fail(where, "max", f"must be more than min ({low})")
    return unit, low, high


def claim_rules(
    raw: Mapping[str, Any],
    options: tuple[Option, ...],
    where: str,
    fail: Fail,
    *,
    number: bool = False,
) -> tuple[ClaimRule, ...]:
    """The item's ``claims``, checked against its own answers (not yet the worker's).

    A choice item lists an ``answer`` for every option that is not "missing"; a number
    item lists bands with increasing ``below`` limits, the last open.
    """
    if ("mirrors" in raw) != ("claims" in raw):
        given, absent = ("mirrors", "claims") if "mirrors" in raw else ("claims", "mirrors")
        raise fail(where, absent, f"'{given}' needs '{absent}'")
    if "claims" not in raw:
        return ()
    entries: list[Mapping[str, Any]] = raw["claims"]
    if number:
        return _band_rules(entries, where, fail)
    return _answer_rules(entries, options, where, fail)


def _answer_rules(
    entries: Iterable[Mapping[str, Any]], options: tuple[Option, ...], where: str, fail: Fail
) -> tuple[ClaimRule, ...]:
    rules: list[ClaimRule] = []
    for number, entry in enumerate(entries, start=1):
        field = f"claims[{number}]"
        if "below" in entry:
            raise fail(where, f"{field}.below", "a choice item's claims match an 'answer'")
        if "answer" not in entry:
            raise fail(where, f"{field}.answer", "is missing")
        answer = entry["answer"]
        option = next((o for o in options if o.code == answer), None)
        if option is None:
            raise fail(where, f"{field}.answer", f"this item has no option {answer}")
        if option.missing:
            raise fail(where, f"{field}.answer", f"option {answer} is 'missing': it makes no claim")
        if any(rule.answer == answer for rule in rules):
            raise fail(where, f"{field}.answer", f"answer {answer} is listed twice")
        rules.append(ClaimRule(code=entry["code"], answer=answer))
    listed = {rule.answer for rule in rules}
    for option in options:
        if not option.missing and option.code not in listed:
            # Each real answer states something; leaving one out would drop its claim.
            raise fail(where, "claims", f"option {option.code} has no claim")
    return tuple(rules)


def _band_rules(
    entries: Iterable[Mapping[str, Any]], where: str, fail: Fail
) -> tuple[ClaimRule, ...]:
    rules = []
    for number, entry in enumerate(entries, start=1):
        if "answer" in entry:
            raise fail(where, f"claims[{number}].answer", "a number item's claims use 'below'")
        below = as_decimal(entry["below"]) if "below" in entry else None
        rules.append(ClaimRule(code=entry["code"], below=below))
    limits = [rule.below for rule in rules[:-1]]
    if rules[-1].below is not None or any(limit is None for limit in limits):
        raise fail(where, "claims", "every claim but the last needs 'below'; the last has none")
    for number in range(1, len(limits)):
        earlier, limit = cast(Decimal, limits[number - 1]), cast(Decimal, limits[number])
        if limit <= earlier:
            raise fail(
                where,
                f"claims[{number + 1}].below",
                f"{limit} is not more than the limit before it ({earlier}): limits must increase",
            )
    return tuple(rules)


def check_against_worker(items: Iterable[Item], worker: Instrument, name: str, fail: Fail) -> None:
    """Each mirrored worker item exists, is scored, and each claimed code has a score.

    :param name: the worker instrument as the employer file names it, e.g. "worker-v2".
    """
    mirrored_by: dict[str, str] = {}
    for item in items:
        if item.mirrors is None:
            continue
        where = f"item {item.id!r}"
        try:
            target = worker.item(item.mirrors)
        except KeyError:
            raise fail(where, "mirrors", f"{name} has no item {item.mirrors!r}") from None
        if not target.is_scored:
            raise fail(
                where,
                "mirrors",
                f"{target.id!r} in {name} is not a scored item (role {target.role!r}),"
                " so a claim about it has no score",
            )
        for number, rule in enumerate(item.claims, start=1):
            option = target.option(rule.code)
            field = f"claims[{number}].code"
            if option is None:
                raise fail(where, field, f"{rule.code} is not an option of {target.id!r} in {name}")
            if option.missing:
                raise fail(
                    where,
                    field,
                    f"option {rule.code} of {target.id!r} in {name} is a 'missing' option,"
                    " which has no score",
                )
        if not any(item.id == m or item.id.startswith(f"{m}_") for m in target.mirror):
            # The worker file's `mirror` list is the published pairing (MEASUREMENT.md
            # 3.1); a claim outside it would compare questions nobody designed to match.
            raise fail(
                where,
                "mirrors",
                f"{target.id!r} in {name} does not list this item in its 'mirror'"
                f" ({', '.join(target.mirror) or 'none'})",
            )
        if target.id in mirrored_by:
            raise fail(
                where,
                "mirrors",
                f"{target.id!r} already has a claim from item {mirrored_by[target.id]!r}",
            )
        mirrored_by[target.id] = item.id
