"""The staff console's forms (Flask-WTF: CSRF token on each, every value checked here).

Every check runs before anything reaches the database: a NUL byte, markup or a
right-to-left override in a name gets a plain message, and PostgreSQL (which refuses
NUL in text with a DataError) never sees it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import MIN_GROUP_SIZE_FLOOR

#: Frontline headcount bands an employer is filed under.
SIZE_BANDS = ("1-49", "50-249", "250-999", "1000+")
#: Most responses a partnership may ask for before showing numbers or quotes.
MAX_K = 100
MAX_QUOTE = 1000
MAX_HEADCOUNT = 1_000_000
MAX_CODES = 2000

_WHOLE = re.compile(r"\d{1,9}")
_MONEY = re.compile(r"\d{1,6}(\.\d{1,2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INDUSTRY = re.compile(r"\d{2,6}")
# Unicode control, format (bidi overrides, zero-width marks), private and unassigned.
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})


def _strip(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def plain_text(_form: FlaskForm, field: Field) -> None:
    """Letters, numbers, spaces and punctuation; no markup or invisible characters."""
    value = field.data or ""
    if any(ch in "<>" or unicodedata.category(ch) in _HIDDEN for ch in value):
        raise ValidationError(
            _l("Use letters, numbers, spaces and ordinary punctuation only (no < or >).")
        )


def whole_number(value: str | None) -> int | None:
    """``value`` as a whole number of at most 9 digits, else None."""
    return int(value) if value and _WHOLE.fullmatch(value) else None


def iso_date(value: str | None) -> date | None:
    if not value or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _text(label: Any, missing: Any, limit: int, too_long: Any, hint: Any = "") -> StringField:
    validators = [DataRequired(missing)] if missing else []
    return StringField(
        label,
        validators=[*validators, Length(max=limit, message=too_long), plain_text],
        filters=[_strip],
        description=hint,
    )


def _optional(label: Any, hint: Any = "") -> StringField:
    return StringField(label, filters=[_strip], description=hint)


class SettingsForm(FlaskForm):
    name = _text(
        _l("Partnership name"),
        _l("Enter the partnership's name."),
        200,
        _l("The name must be 200 characters or fewer."),
    )
    sector = _text(
        _l("Sector"),
        _l("Enter the sector, like Healthcare."),
        100,
        _l("The sector must be 100 characters or fewer."),
        _l("For example, Healthcare or Advanced manufacturing."),
    )
    region = _text(
        _l("Region"),
        _l("Enter the region."),
        200,
        _l("The region must be 200 characters or fewer."),
    )
    living_wage = _optional(
        _l("Hourly living wage, in dollars"),
        _l("The wage question is scored against it. For example, 24.50."),
    )
    living_wage_basis = _text(
        _l("Where the living wage comes from (optional)"),
        None,
        200,
        _l("This must be 200 characters or fewer."),
        _l("For example: MIT Living Wage Calculator, 1 adult, no children, 2026."),
    )
    min_group_size = _optional(
        _l("Smallest group shown (k)"),
        _l(
            "No number is shown to employers unless at least this many people answered. "
            "At least 3; 5 is usual."
        ),
    )
    quote_min_responses = _optional(
        _l("Responses needed before quoting comments"),
        _l(
            "Worker comments are quoted only for employers with at least this many "
            "responses. At least k; 10 is usual."
        ),
    )

    def validate_living_wage(self, field: Field) -> None:
        value = (field.data or "").lstrip("$").replace(",", "")
        if not field.data:
            raise ValidationError(_l("Enter the hourly living wage, like 24.50."))
        if not _MONEY.fullmatch(value) or Decimal(value) <= 0:
            raise ValidationError(
                _l("Enter the hourly living wage as an amount in dollars, like 24.50.")
            )
        field.data = value

    def validate_min_group_size(self, field: Field) -> None:
        k = whole_number(field.data)
        if not field.data:
            raise ValidationError(_l("Enter the smallest group shown (k), like 5."))
        if k is None:
            raise ValidationError(_l("Enter k as a whole number, like 5."))
        if k < MIN_GROUP_SIZE_FLOOR:
            raise ValidationError(
                _l("k must be at least %(floor)d, to keep answers anonymous.")
                % {"floor": MIN_GROUP_SIZE_FLOOR}
            )
        if k > MAX_K:
            raise ValidationError(_l("k must be %(most)d or fewer.") % {"most": MAX_K})

    def validate_quote_min_responses(self, field: Field) -> None:
        quote = whole_number(field.data)
        k = whole_number(self.min_group_size.data)
        if not field.data:
            raise ValidationError(_l("Enter the responses needed before quoting, like 10."))
        if quote is None:
            raise ValidationError(_l("Enter the responses needed as a whole number, like 10."))
        if k is not None and quote < k:
            raise ValidationError(
                _l("This must be at least k (%(k)d): quotes need more people than numbers.")
                % {"k": k}
            )
        if quote > MAX_QUOTE:
            raise ValidationError(_l("This must be %(most)d or fewer.") % {"most": MAX_QUOTE})


class EmployerForm(FlaskForm):
    name = _text(
        _l("Employer name"),
        _l("Enter the employer's name."),
        200,
        _l("The name must be 200 characters or fewer."),
    )
    size_band = _optional(_l("Frontline workers"))
    industry_code = _optional(
        _l("Industry code (optional)"),
        _l("2 to 6 digits of the NAICS code, for example 6221 for hospitals."),
    )
    frontline_headcount = _optional(
        _l("Number of frontline workers (optional)"),
        _l("If you know it, response rates are shown. A whole number, like 180."),
    )

    def validate_size_band(self, field: Field) -> None:
        if field.data not in SIZE_BANDS:
            raise ValidationError(_l("Choose how many frontline workers the employer has."))

    def validate_industry_code(self, field: Field) -> None:
        if field.data and not _INDUSTRY.fullmatch(field.data):
            raise ValidationError(
                _l("Enter the industry code as 2 to 6 digits, like 6221, or leave it empty.")
            )

    def validate_frontline_headcount(self, field: Field) -> None:
        if not field.data:
            return
        count = whole_number(field.data.replace(",", ""))
        if count is None or not 1 <= count <= MAX_HEADCOUNT:
            raise ValidationError(
                _l("Enter the number of frontline workers as a whole number, like 180.")
            )
        field.data = str(count)


class WaveForm(FlaskForm):
    """A survey round's settings. ``setup(partnership_k, versions)`` before validating."""

    name = _text(
        _l("Name of the round"),
        _l("Enter a name for the round, like Spring 2027."),
        100,
        _l("The name must be 100 characters or fewer."),
        _l("Workers do not see it. For example, Spring 2027."),
    )
    opens_on = _optional(_l("Opening date"), _l("For example, 2027-03-15."))
    closes_on = _optional(
        _l("Closing date"),
        _l("The same day as the opening date or later. For example, 2027-04-15."),
    )
    instrument_version = _optional(_l("Worker survey version"))
    require_codes = _optional(_l("Single-use codes"))
    show_exit_button = _optional(_l("“Exit this page” button"))
    min_group_size = _optional(_l("Smallest group shown (k)"))

    partnership_k = MIN_GROUP_SIZE_FLOOR
    versions: tuple[int, ...] = ()

    def setup(self, partnership_k: int, versions: tuple[int, ...]) -> WaveForm:
        self.partnership_k = partnership_k
        self.versions = versions
        return self

    def validate_opens_on(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the opening date."))
        if iso_date(field.data) is None:
            raise ValidationError(_l("Enter the opening date as a real date, like 2027-03-15."))

    def validate_closes_on(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the closing date."))
        closes = iso_date(field.data)
        if closes is None:
            raise ValidationError(_l("Enter the closing date as a real date, like 2027-04-15."))
        opens = iso_date(self.opens_on.data)
        if opens is not None and closes < opens:
            raise ValidationError(
                _l("The closing date must be the same day as the opening date or later.")
            )

    def validate_instrument_version(self, field: Field) -> None:
        if whole_number(field.data) not in self.versions:
            raise ValidationError(_l("Choose one of the worker survey versions listed."))

    def validate_require_codes(self, field: Field) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError(_l("Choose whether workers need a single-use code."))

    def validate_show_exit_button(self, field: Field) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError(_l("Choose whether to show the “Exit this page” button."))

    def validate_min_group_size(self, field: Field) -> None:
        k = whole_number(field.data)
        if k is None:
            raise ValidationError(_l("Enter k as a whole number, like 5."))
        if k < MIN_GROUP_SIZE_FLOOR:
            raise ValidationError(
                _l("k must be at least %(floor)d, to keep answers anonymous.")
                % {"floor": MIN_GROUP_SIZE_FLOOR}
            )
        if k < self.partnership_k:
            raise ValidationError(
                _l("k cannot be below the partnership's k (%(k)d).") % {"k": self.partnership_k}
            )
        if k > MAX_K:
            raise ValidationError(_l("k must be %(most)d or fewer.") % {"most": MAX_K})

    def settings(self) -> dict[str, Any]:
        """The validated values, named as :func:`surveyapp.waves.change_settings` wants."""
        return {
            "name": self.name.data,
            "opens_on": iso_date(self.opens_on.data),
            "closes_on": iso_date(self.closes_on.data),
            "worker_instrument_version": whole_number(self.instrument_version.data),
            "require_codes": self.require_codes.data == "yes",
            "show_exit_button": self.show_exit_button.data == "yes",
            "min_group_size": whole_number(self.min_group_size.data),
        }


class CodesForm(FlaskForm):
    count = _optional(_l("How many codes"), _l("From 1 to 2000: one for each worker."))

    def validate_count(self, field: Field) -> None:
        count = whole_number(field.data)
        if count is None or not 1 <= count <= MAX_CODES:
            raise ValidationError(
                _l("Enter a whole number of codes from 1 to %(most)d.") % {"most": MAX_CODES}
            )


class InviteForm(FlaskForm):
    """``setup(employer_ids)`` before validating."""

    email = _optional(_l("Email address"))
    access = _optional(_l("What they can see"))

    employer_ids: frozenset[int] = frozenset()

    def setup(self, employer_ids: frozenset[int]) -> InviteForm:
        self.employer_ids = employer_ids
        return self

    def validate_email(self, field: Field) -> None:
        from ..accounts.service import email_problem, normalise_email

        if not field.data:
            raise ValidationError(_l("Enter their email address."))
        if email_problem(normalise_email(field.data)):
            raise ValidationError(
                _l("Enter an email address in the right form, like name@example.org.")
            )

    def validate_access(self, field: Field) -> None:
        if field.data != "staff" and self.employer_id() not in self.employer_ids:
            raise ValidationError(_l("Choose partnership staff or one of the employers."))

    def employer_id(self) -> int | None:
        prefix, _dash, number = (self.access.data or "").partition("-")
        return whole_number(number) if prefix == "employer" else None
