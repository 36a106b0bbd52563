"""What every form page needs from a Flask-WTF form."""

from __future__ import annotations

from flask_wtf import FlaskForm


def form_errors(form: FlaskForm, **extra: str | None) -> dict[str, str]:
    """The first message of each field in error, in field order, then ``extra``.

    The page template shows them in its error summary and beside each field, and
    base.html starts the title with "Error:" when there are any. A missing or
    stale CSRF token gets a message of its own, as the field is hidden.
    """
    errors = {name: str(messages[0]) for name, messages in form.errors.items() if messages}
    errors.update({key: message for key, message in extra.items() if message})
    return errors
