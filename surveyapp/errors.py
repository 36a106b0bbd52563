"""Error pages: calm, in the page's language, never a stack trace.

Every error that reaches a person is one of a few plain pages. A CSRF failure also
clears the session (SecureDrop), and a database that cannot answer for now (SQLite
locked past its busy timeout, PostgreSQL stopped, restarting or unreachable) becomes
"please try again in a minute" (503 with Retry-After) rather than an internal error;
a form posted meanwhile comes back filled in, ready to be sent again.
"""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request, session
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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
        _l("Please try again in a minute"),
        _l("We are busy for a moment. Nothing you did caused this."),
    ),
}

#: Seconds a client is asked to wait before trying again when the database is busy
#: or away: SQLite has already waited its busy timeout, and a restarting PostgreSQL
#: takes some seconds.
RETRY_AFTER = "60"

#: Posted fields never written back into a page (passwords, one-time, save and recovery
#: codes, tokens) are typed again: a name containing one of the first, or equal to one
#: of the second.
_SECRET_PARTS = ("password", "secret", "recovery")
_SECRET_NAMES = frozenset({"code", "token", "otp", "totp"})


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
        return unavailable()
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


def database_unavailable(error: BaseException) -> bool:
    """Whether a database error means "not now" rather than a fault: SQLite locked or
    busy past its timeout, PostgreSQL unreachable, stopped, restarting or gone
    mid-request, or every pooled connection in use."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if type(error.orig).__module__.startswith("psycopg"):
        # psycopg's OperationalError and InterfaceError are about the connection and
        # the server (refused, closed, shutting down, starting up), not the query.
        return isinstance(error, OperationalError | InterfaceError)
    text = str(error.orig).lower()
    return isinstance(error, OperationalError) and ("locked" in text or "busy" in text)


def rollback_quietly() -> None:
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; the pool drops it
        log.info("rollback after a database error failed")


def _resend_fields() -> list[tuple[str, str]] | None:
    """The fields of a posted form, to be sent again from the 503 page; None for a
    request that is not a form post. Passwords and codes are left out."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return None
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name == "csrf_token" or not _is_secret(name.lower())
    ]


def _is_secret(name: str) -> bool:
    return name in _SECRET_NAMES or any(part in name for part in _SECRET_PARTS)


def unavailable() -> ResponseReturnValue:
    """The calm 503 page; a posted form comes back in it, filled in, to send again."""
    rollback_quietly()
    # Flask-Login's template context would load the signed-in user from the database
    # that just failed; this page shows nothing of theirs.
    g._login_user = AnonymousUserMixin()
    query = request.query_string.decode("latin-1")
    # Our own path, relative: never "//host" (a protocol-relative address).
    action = "/" + request.path.lstrip("/") + (f"?{query}" if query else "")
    title, message = MESSAGES[503]
    body = render_template(
        "errors/unavailable.html",
        status=503,
        title=title,
        message=message,
        fields=_resend_fields(),
        action=action,
    )
    return body, 503, {"Retry-After": RETRY_AFTER}


def _database_error(error: DBAPIError | PoolTimeout) -> ResponseReturnValue:
    if database_unavailable(error):
        log.warning("database unavailable: %s", type(error).__name__)
        return unavailable()
    log.error("database error: %s", type(getattr(error, "orig", error)).__name__)
    rollback_quietly()
    return render_error(500)


def _unexpected(error: Exception) -> ResponseReturnValue:
    # Log the exception type and traceback for operators; the page shows neither.
    log.exception("unhandled error: %s", type(error).__name__)
    return render_error(500)


def _close_session_quietly(_error: BaseException | None) -> None:
    """End the request's database session before Flask-SQLAlchemy does (teardowns run
    last registered, first called): if the server went away after the answer was made,
    the rollback that closes the session fails, and must not turn a page already made
    (a thank-you for answers committed before the crash) into a 500."""
    from .extensions import db

    for _attempt in range(2):
        try:
            db.session.remove()
            return
        except DBAPIError as error:
            # The failed connection is invalidated; the second try closes the rest.
            log.warning("closing a database session failed: %s", type(error).__name__)


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session_quietly)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_error)
    app.register_error_handler(Exception, _unexpected)
