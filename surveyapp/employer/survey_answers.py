"""Reading one page of the employer survey from a posted form.

An answer is an option code (a choice question, or "Not sure" beside a number) or a
number. What was typed is kept so a page with errors shows it back unchanged.
Numbers are read the way people type them: "$15.50", "15,50", "1,200" or "1.200".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from ..instruments import Instrument, Item

#: Longer than any number a question takes; anything longer is refused unread.
MAX_TYPED = 20
#: The name of the "Not sure" choice beside a number box.
WAY_OUT_SUFFIX = "-way-out"

_DIGITS = re.compile(r"[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}([,. ][0-9]{3})+")


@dataclass(frozen=True)
class Value:
    """A stored answer: exactly one of ``code`` and ``number``."""

    code: int | None = None
    number: Decimal | None = None


@dataclass
class PostedPage:
    #: item id -> its answer; None where the question was left blank.
    values: dict[str, Value | None] = field(default_factory=dict)
    #: item id -> the message shown beside the question.
    errors: dict[str, str] = field(default_factory=dict)
    #: item id -> what was typed or chosen, to show back.
    typed: dict[str, str] = field(default_factory=dict)


def read_page(
    instrument: Instrument, item_ids: tuple[str, ...], form: Mapping[str, str]
) -> PostedPage:
    """Every answer of one page, or the reason each bad one is refused."""
    posted = PostedPage()
    for item_id in item_ids:
        item = instrument.item(item_id)
        if item.kind == "number":
            _read_number(item, form, posted)
        elif item.kind == "choice":
            _read_choice(item, form, posted)
    return posted


def _read_choice(item: Item, form: Mapping[str, str], posted: PostedPage) -> None:
    chosen = form.get(item.id, "")[:MAX_TYPED]
    posted.typed[item.id] = chosen
    if not chosen:
        posted.values[item.id] = None
        if item.required:
            posted.errors[item.id] = _("Choose an answer.")
        return
    code = _code(chosen)
    if code is None or item.option(code) is None:
        posted.errors[item.id] = _("Choose one of the answers shown.")
        return
    posted.values[item.id] = Value(code=code)


def _read_number(item: Item, form: Mapping[str, str], posted: PostedPage) -> None:
    typed = form.get(item.id, "").strip()
    way_out = form.get(item.id + WAY_OUT_SUFFIX, "")[:MAX_TYPED]
    posted.typed[item.id] = typed[:MAX_TYPED]
    posted.typed[item.id + WAY_OUT_SUFFIX] = way_out
    if way_out:
        code = _code(way_out)
        option = item.option(code) if code is not None else None
        if option is None:
            posted.errors[item.id] = _("Choose one of the answers shown.")
        elif typed:
            posted.errors[item.id] = _(
                "Enter a number or choose “%(answer)s”, not both.", answer=_label(option.label)
            )
        else:
            posted.values[item.id] = Value(code=option.code)
        return
    if not typed:
        posted.values[item.id] = None
        if item.required:
            posted.errors[item.id] = _("Enter a number.")
        return
    number = parse_number(typed, cents=item.unit == "dollars_per_hour")
    if number is None:
        posted.errors[item.id] = (
            _("Enter an amount in dollars, like 15 or 15.50.")
            if item.unit == "dollars_per_hour"
            else _("Enter a whole number, like 12.")
        )
        return
    low, high = item.min_value, item.max_value
    if low is None or high is None or not low <= number <= high:
        posted.errors[item.id] = _(
            "Enter a number from %(low)s to %(high)s.",
            low=format_decimal(low or 0),
            high=format_decimal(high or 0),
        )
        return
    posted.values[item.id] = Value(number=number)


def parse_number(typed: str, *, cents: bool) -> Decimal | None:
    """A number as people type it; None when it is not one (or has too many places).

    "1,200", "1.200" and "1 200" are twelve hundred; with ``cents``, "15,50" and
    "15.50" are fifteen and a half (a separator before exactly one or two digits at the
    end is a decimal point), and a "$" is ignored.
    """
    text = typed.strip()
    if cents:
        text = text.removeprefix("$").removesuffix("$").strip()
    if not text or len(text) > MAX_TYPED:
        return None
    whole, fraction = text, ""
    match = re.fullmatch(r"(.*?)[.,]([0-9]{1,2})", text) if cents else None
    if match and (_THOUSANDS.fullmatch(match.group(1)) or _DIGITS.fullmatch(match.group(1))):
        whole, fraction = match.group(1), match.group(2)
    if _THOUSANDS.fullmatch(whole):
        whole = re.sub(r"[,. ]", "", whole)
    if not _DIGITS.fullmatch(whole):
        return None
    return Decimal(f"{int(whole)}.{fraction}" if fraction else int(whole))


def _code(text: str) -> int | None:
    """An option code as posted; None for anything else (only ASCII digits count)."""
    return int(text) if _DIGITS.fullmatch(text) and len(text) <= 4 else None


def _label(text: Mapping[str, str]) -> str:
    lang = str(get_locale() or "en")
    return text.get(lang) or text.get("en") or ""
