"""Sign-in for partnership staff and employer users (workers never sign in).

Flask-Login keeps, in the signed session cookie, the token of a server-side session
row (see service.py), not the user's id: deleting the row signs that browser out
wherever its cookie has been copied.
"""

from __future__ import annotations

from flask import Flask, session
from flask_login import LoginManager, UserMixin, current_user

from ..db import begin_write
from ..extensions import db
from ..models import User
from . import clock
from .service import needs_touch, session_row, timed_out, touch_session, user_for_session

login_manager = LoginManager()


class Account(UserMixin):
    """The signed-in user, as Flask-Login sees them."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return self.token

    @property
    def is_staff(self) -> bool:
        return self.user.is_staff

    @property
    def partnership_id(self) -> int:
        return self.user.partnership_id

    @property
    def employer_id(self) -> int | None:
        return self.user.employer_id

    @property
    def email(self) -> str:
        return self.user.email


@login_manager.user_loader
def _load(token: str) -> Account | None:
    row = session_row(db.session, token)
    moment = clock.now()
    live = row is not None and row.stage == "signed_in" and not timed_out(row, moment)
    if live and row is not None and needs_touch(row, moment):
        # A transaction of its own that takes SQLite's write lock from the start;
        # nothing else is pending, as the loader runs first (_load_first below).
        row_hash = row.token_hash
        db.session.rollback()
        begin_write(db.session)
        touch_session(db.session, row_hash, moment)
        db.session.commit()
    user = user_for_session(db.session, token)
    return Account(user, token) if user is not None else None


def _load_first() -> None:
    # The idle clock is moved before the view runs, never in the middle of its work.
    if "_user_id" in session:
        current_user._get_current_object()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    # The session lives on the server and ends at sign-out; Flask-Login's own
    # "protection" would hash the client address into the cookie, which we avoid.
    login_manager.session_protection = None
    # Its default flash message would appear untranslated on the sign-in page.
    login_manager.login_message = None
    app.before_request(_load_first)
    from . import second_factor_views  # noqa: F401 - registers its routes on bp
    from .views import bp, home_url

    app.register_blueprint(bp)
    app.add_template_global(home_url)
