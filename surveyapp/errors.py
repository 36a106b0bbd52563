"""Error pages: calm, in the page's language, never a stack trace.

Every error that reaches a person is one of a few plain pages. A CSRF failure also
clears the session (SecureDrop), and a locked SQLite database becomes "busy, try
again" (503 with Retry-After) rather than an internal error.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request, session
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
security_log = logging.getLogger("surveyapp.security")

# (title, message) for each status a person can meet.
MESSAGES = {
    400: (
        _l("Something went wrong with that page"),
        _l("The page sent something we could not use. Go back and try again."),
    ),
    403: (_l("You cannot see this page"), _l("This page is not available to you.")),
    404: (
        _l("This page is not available"),
        _l(
            "The link may be wrong, or the survey may not be open. "
            "Check the link you were given, or ask the person who gave it to you."
        ),
    ),
    405: (
        _l("Something went wrong with that page"),
        _l("The page was used in a way it does not support. Go back and try again."),
    ),
    410: (
        _l("This survey has closed"),
        _l("Thank you for your interest. This survey is no longer taking answers."),
    ),
    413: (
        _l("That was too much to send"),
        _l("Your answer was too long to send. Go back, make it shorter and try again."),
    ),
    429: (
        _l("Please wait a moment"),
        _l("There were too many tries in a short time. Wait a few minutes and try again."),
    ),
    500: (
        _l("Sorry, something went wrong on our side"),
        _l("Nothing you did caused this. Please try again in a few minutes."),
    ),
    503: (
        _l("The survey is busy"),
        _l("Please wait a few seconds and try again. Your earlier answers are saved."),
    ),
}


def render_error(status: int, title: object = None, message: object = None) -> tuple[str, int]:
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    body = render_template(
        "errors/error.html",
        status=status,
        title=title or default_title,
        message=message or default_message,
    )
    return body, status


def security_event(kind: str) -> None:
    """Log one line for a security event: what and where, never who.

    No address, token, cookie or answer goes into it: the endpoint name is the
    route's name (``survey.page``), not its URL, which would hold the link token.
    """
    security_log.warning("security event: %s on %s", kind, request.endpoint or "unknown page")


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if request_ctx.url_adapter is None:
        # The request was refused before routing (a Host that is not ours): no page
        # can be built for it, and nothing from the request is echoed back.
        return "Bad request", 400, {"Content-Type": "text/plain; charset=utf-8"}
    body, shown = render_error(status if status in MESSAGES else 400)
    headers = {}
    if status == 405:
        # RFC 9110: a 405 says which methods the resource does support.
        headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    if status == 429:
        headers = {"Retry-After": "60"}
    if status == 503:
        headers = {"Retry-After": "5"}
    return body, shown, headers


def _csrf_error(_error: CSRFError) -> ResponseReturnValue:
    security_event("CSRF check failed")
    if request.blueprint in SIGNED_IN_BLUEPRINTS:
        _end_account_session()
        session.clear()
        return render_error(
            400,
            _l("This page timed out"),
            _l(
                "For your safety, forms stop working after a while, and you have been "
                "signed out. Sign in again and try once more."
            ),
        )
    session.clear()
    return render_error(
        400,
        _l("This page timed out"),
        _l(
            "For your safety, pages stop working after a while. Your earlier answers are "
            "saved. Go back to the survey link and continue."
        ),
    )


#: Blueprints whose pages are for signed-in staff and employer users.
SIGNED_IN_BLUEPRINTS = frozenset({"accounts", "staff", "employer"})


def _end_account_session() -> None:
    """A failed form check also ends the server-side session: clearing the cookie
    alone would leave a copy of it working."""
    from flask_login import current_user

    from .accounts.service import end_session
    from .extensions import db

    if current_user.is_authenticated:
        db.session.rollback()
        end_session(db.session, current_user.token)
        db.session.commit()


def _database_error(error: OperationalError) -> ResponseReturnValue:
    if "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower():
        body, _status = render_error(503)
        return body, 503, {"Retry-After": "5"}
    log.error("database error: %s", type(error.orig).__name__)
    return render_error(500)


def _unexpected(error: Exception) -> ResponseReturnValue:
    # Log the exception type and traceback for operators; the page shows neither.
    log.exception("unhandled error: %s", type(error).__name__)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(Exception, _unexpected)
