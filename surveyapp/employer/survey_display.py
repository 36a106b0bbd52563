"""How the employer survey's stored answers read on its overview page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_currency, format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from ..instruments import Instrument, Item
from .survey_answers import Value


def language(instrument: Instrument) -> str:
    """The page's language if the instrument has it, else the instrument's first."""
    current = str(get_locale() or "en")
    return current if current in instrument.languages else instrument.languages[0]


@dataclass(frozen=True)
class PageState:
    number: int
    title: str
    answered: int
    questions: int
    #: Every required question on the page is answered.
    complete: bool


@dataclass(frozen=True)
class AnswerRow:
    item_id: str
    question: str
    #: None: not answered.
    answer: str | None
    page: int


def page_states(instrument: Instrument, stored: dict[str, Value]) -> list[PageState]:
    lang = language(instrument)
    states = []
    for number, page in enumerate(instrument.pages, start=1):
        items = [instrument.item(i) for i in page.items]
        answered = sum(1 for item in items if item.id in stored)
        complete = all(item.id in stored for item in items if item.required)
        states.append(PageState(number, page.title[lang], answered, len(items), complete))
    return states


def answer_rows(instrument: Instrument, stored: dict[str, Value]) -> list[AnswerRow]:
    lang = language(instrument)
    rows = []
    for number, page in enumerate(instrument.pages, start=1):
        for item_id in page.items:
            item = instrument.item(item_id)
            value = stored.get(item_id)
            shown = None if value is None else shown_answer(item, value, lang)
            rows.append(AnswerRow(item_id, item.text[lang], shown, number))
    return rows


def shown_answer(item: Item, value: Value, lang: str) -> str:
    """An answer as a reader expects it: "$15.50", "14 days", "Yes"."""
    if value.number is None:
        option = item.option(value.code or 0)
        return (option.label.get(lang) or option.label["en"]) if option else ""
    number = Decimal(value.number)
    if item.unit == "dollars_per_hour":
        return _("%(amount)s an hour", amount=format_currency(number, "USD"))
    whole = int(number)
    if item.unit == "days":
        return ngettext("%(count)s day", "%(count)s days", whole, count=format_decimal(whole))
    if item.unit == "hours":
        return ngettext("%(count)s hour", "%(count)s hours", whole, count=format_decimal(whole))
    return format_decimal(whole)
