"""The sign-in and password forms (Flask-WTF: CSRF token, lengths checked)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from .passwords import MAX_LENGTH
from .second_factor import MAX_CODE_INPUT
from .service import MAX_EMAIL_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=MAX_EMAIL_LENGTH)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH * 4)],
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Enter a new password."))]
    )
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )


def _code_field() -> StringField:
    return StringField(
        _l("One-time password"),
        validators=[
            DataRequired(_l("Type the 6-digit one-time password from your app.")),
            Length(
                max=MAX_CODE_INPUT,
                message=_l("That is too long for a one-time password or a recovery key."),
            ),
            Regexp(
                r"^[0-9A-Za-z \t-]*$",
                message=_l(
                    "Type only the 6 digits from your app, or a recovery key "
                    "(letters, digits and dashes)."
                ),
            ),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class CodeForm(FlaskForm):
    """The second step of signing in, and the confirmation of enrolment."""

    code = _code_field()


class PasswordAndCodeForm(FlaskForm):
    """Proof that the account's owner is at the keyboard: switching two-step sign-in
    off, or making new recovery keys."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH * 4)],
    )
    code = _code_field()
