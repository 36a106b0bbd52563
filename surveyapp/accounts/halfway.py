"""The half-signed-in state: the password was right, the second factor is still to come.

It is an ``account_sessions`` row with stage ``code`` (type a one-time password) or
``enrol`` (a staff user without a second factor sets one up), whose token sits in the
signed session cookie under its own key, not Flask-Login's: the user loader never
sees it, so it opens no page but the code and enrolment pages. It lasts a few
minutes from the password, checked on the server, and is used up by the next step.
"""

from __future__ import annotations

from datetime import timedelta

from flask import session as cookie

from ..db import Session
from ..models import User
from . import clock
from .service import end_session, session_row, start_session

#: Long enough to open the app and type a code; setting up takes a little longer
#: (install an app, scan the QR code).
LIFETIME = {"code": timedelta(minutes=5), "enrol": timedelta(minutes=10)}
_KEY = "halfway"


def begin(session: Session, user: User, stage: str) -> None:
    cookie.clear()
    cookie[_KEY] = start_session(session, user, stage)


def current(session: Session, stage: str | None = None) -> User | None:
    """The user half-way through signing in with this browser, if still in time."""
    token = cookie.get(_KEY)
    if not isinstance(token, str):
        return None
    row = session_row(session, token)
    if row is None or row.stage not in ("code", "enrol") or (stage and row.stage != stage):
        return None
    if clock.now() - row.created_at >= LIFETIME[row.stage]:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def finish(session: Session) -> None:
    """The half-way state is over (signed in, or given up): its row and key go."""
    token = cookie.pop(_KEY, None)
    if isinstance(token, str):
        end_session(session, token)
