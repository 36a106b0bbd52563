"""Check what a worker sent for one page, or for the whole survey before submitting.

Validation is written against the instrument rather than as fixed form classes:
every question's allowed codes, whether it is required, and the limits of free
text come from the instrument file. Messages are calm and say what to do.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from flask_babel import gettext as _

from ..instruments import Instrument, Item, Page

# Bidirectional overrides can make a comment read differently from what it says.
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
#: Form fields a survey page may send besides its questions.
FORM_CONTROLS = frozenset({"csrf_token", "action"})


class UnexpectedFields(ValueError):
    """The form sent fields that no question on the page asks (a tampered form)."""


@dataclass
class PageCheck:
    """The outcome of checking one page: what to save and what to say."""

    answers: dict[str, Any] = field(default_factory=dict)
    cleared: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    #: What the worker sent, to show the page again with everything still filled in.
    sent: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


#: By the instrument convention (instruments/README.md) code 98 is the "Not sure"
#: answer; any other missing option (99, "Prefer not to say") is a way not to answer.
NOT_SURE_CODE = 98


def way_out_labels(item: Item, language: str) -> tuple[str | None, str | None]:
    """The item's own "Not sure" and "Prefer not to say" labels (None when absent).

    They are told apart because they are different advice: "Not sure" is for a worker
    who does not know, "Prefer not to say" for one who does not want to answer.
    """
    not_sure = prefer_not = None
    for option in item.options:
        if not option.missing:
            continue
        if option.code == NOT_SURE_CODE:
            not_sure = not_sure or option.label[language]
        else:
            prefer_not = prefer_not or option.label[language]
    return not_sure, prefer_not


def required_message(item: Item, language: str) -> str:
    """Ask for an answer, naming only the ways out this question really offers.

    A worker told to pick an answer the question does not show may pick one that
    scores, so the message quotes the question's own option labels.
    """
    if item.kind == "text":
        return _("Write an answer.")
    not_sure, prefer_not = way_out_labels(item, language)
    if not_sure and prefer_not:
        return _(
            "Choose an answer. If you do not know, choose “%(not_sure)s”. "
            "If you would rather not answer, choose “%(prefer_not)s”.",
            not_sure=not_sure,
            prefer_not=prefer_not,
        )
    if not_sure:
        return _("Choose an answer. If you do not know, choose “%(label)s”.", label=not_sure)
    if prefer_not:
        return _(
            "Choose an answer. If you would rather not answer, choose “%(label)s”.",
            label=prefer_not,
        )
    return _("Choose an answer.")


def clean_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


def text_problem(text: str, item: Item) -> str | None:
    if "\ufffd" in text or any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in _BIDI_CONTROLS
        for ch in text
    ):
        return _("Your answer has characters we cannot save. Remove them and try again.")
    limit = item.max_length or 1000
    if len(text) > limit:
        return _(
            "Your answer is %(count)d characters long. Make it %(limit)d characters or fewer.",
            count=len(text),
            limit=limit,
        )
    return None


def fields_with_bad_encoding(body: bytes) -> frozenset[str]:
    """Names of URL-encoded fields whose value is not valid UTF-8.

    Werkzeug keeps such a value as its percent-escaped text ("%FF"), which would be
    saved as if the worker had typed it; this finds them in the raw body instead.
    """
    bad = set()
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            bad.add(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"))
    return frozenset(bad)


def check_page(
    instrument: Instrument,
    page: Page,
    form: Mapping[str, Sequence[str]],
    language: str,
    *,
    enforce_required: bool = True,
    bad_encoding: frozenset[str] = frozenset(),
) -> PageCheck:
    """Check one page's answers.

    :param form: the posted fields as lists of values (``request.form.to_dict(flat=False)``).
    :param enforce_required: False when the worker saves to finish later: what is
        there and valid is kept, and missing answers are not an error yet.
    :param bad_encoding: fields whose raw value was not valid UTF-8.
    :raises UnexpectedFields: when a field is not a question on this page.
    """
    allowed = set(page.items) | FORM_CONTROLS
    unexpected = [name for name in form if name not in allowed]
    if unexpected:
        raise UnexpectedFields(", ".join(sorted(unexpected)[:5]))
    result = PageCheck()
    for item in instrument.page_items(page):
        values = [v for v in form.get(item.id, []) if v != ""]
        if item.id in bad_encoding:
            result.errors[item.id] = (
                _("Your answer has characters we cannot save. Remove them and try again.")
                if item.kind == "text"
                else _("Choose one of the answers shown.")
            )
            continue
        if item.kind == "text":
            _check_text(item, values, result, enforce_required)
        else:
            _check_choice(item, values, result, language, enforce_required)
    return result


def _check_choice(
    item: Item, values: list[str], result: PageCheck, language: str, enforce_required: bool
) -> None:
    if not values:
        if item.required and enforce_required:
            result.errors[item.id] = required_message(item, language)
        else:
            result.cleared.append(item.id)
        return
    result.sent[item.id] = values[0][:10]
    value = values[0]
    if len(values) > 1 or not (value.isascii() and value.isdigit()) or len(value) > 3:
        result.errors[item.id] = _("Choose one of the answers shown.")
        return
    code = int(value)
    if code not in item.codes:
        result.errors[item.id] = _("Choose one of the answers shown.")
        return
    result.answers[item.id] = code


def _check_text(item: Item, values: list[str], result: PageCheck, enforce_required: bool) -> None:
    if len(values) > 1:
        result.errors[item.id] = _("Something went wrong with this answer. Please write it again.")
        return
    text = clean_text(values[0]) if values else ""
    result.sent[item.id] = text[: (item.max_length or 1000) * 2]
    if not text:
        if item.required and enforce_required:
            result.errors[item.id] = _("Write an answer.")
        else:
            result.cleared.append(item.id)
        return
    problem = text_problem(text, item)
    if problem:
        result.errors[item.id] = problem
        return
    result.answers[item.id] = text


def check_complete(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    """Required items still unanswered, or answers that no longer fit, in page order."""
    problems = []
    for page in instrument.pages:
        for item in instrument.page_items(page):
            value = answers.get(item.id)
            if value is None:
                if item.required:
                    problems.append(item.id)
            elif (
                item.kind == "choice"
                and not is_option_code(value, item)
                or item.kind == "text"
                and (not isinstance(value, str) or text_problem(value, item) is not None)
            ):
                problems.append(item.id)
    return problems


def is_option_code(value: Any, item: Item) -> bool:
    # True == 1 and 1.0 == 1 in Python: only a real int may stand for an option.
    return type(value) is int and value in item.codes
