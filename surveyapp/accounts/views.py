"""Sign in, sign out, set a password from a link, change a password."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import security_event
from ..extensions import db, limiter
from ..forms import form_errors
from ..models import User
from ..ratelimit import limit, login_account_key
from . import Account, halfway
from .audit import record, record_limited
from .forms import ChangePasswordForm, LoginForm, SetPasswordForm
from .passwords import MIN_LENGTH
from .service import (
    AccountError,
    account_for_email,
    authenticate,
    change_password,
    end_session,
    set_password_with_link,
    start_session,
    user_for_link,
)

bp = Blueprint("accounts", __name__)


def home_url() -> str:
    if current_user.is_authenticated and current_user.is_staff:
        return url_for("staff.home")
    return url_for("employer.home")


def password_hint() -> str:
    return _(
        "At least %(n)d characters. A few unrelated words in a row are easy to remember "
        "and hard to guess.",
        n=MIN_LENGTH,
    )


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target if len(target) < 500 and "\\" not in target else None
    return None


def _sign_in(user: User) -> None:
    # Nothing from before sign-in is carried over: a fresh cookie, a fresh token.
    session.clear()
    token = start_session(db.session, user)
    login_user(Account(user, token))


def _limited_sign_in(_limit: RequestLimit) -> None:
    """A sign-in refused by a rate limit goes in the audit table, for the account
    whose email was typed when there is one."""
    record_limited(db.session, account_for_email(db.session, request.form.get("email", "")[:300]))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit("login"), methods=["POST"], on_breach=_limited_sign_in)
@limiter.shared_limit(
    limit("login_account"),
    scope="login_account",
    key_func=login_account_key,
    methods=["POST"],
    on_breach=_limited_sign_in,
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data or "", form.password.data or "")
        next_url = _safe_next(request.args.get("next"))
        if user is not None and (user.has_second_factor or user.is_staff):
            # The password alone opens nothing: the code (or, for staff who have
            # not set one up yet, the enrolment) page comes next.
            stage = "code" if user.has_second_factor else "enrol"
            halfway.begin(db.session, user, stage)
            db.session.commit()
            target = "accounts.code" if stage == "code" else "accounts.enrol"
            return redirect(url_for(target, next=next_url) if next_url else url_for(target))
        if user is not None:
            _sign_in(user)
            record(db.session, "sign_in", user)
            db.session.commit()
            return redirect(next_url or home_url())
        db.session.rollback()
        # The account, if the email is one; never the email typed for one that is not.
        record(db.session, "sign_in_failed", account_for_email(db.session, form.email.data or ""))
        db.session.commit()
        security_event("failed sign-in")
        # One message for a wrong email and a wrong password: no account oracle.
        error = _("The email address or password is not right. Check them and try again.")
    elif form.is_submitted():
        db.session.rollback()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "accounts/login.html",
        form=form,
        errors=form_errors(form, email=error),
        signed_out=request.args.get("signed_out") == "1",
        password_set=request.args.get("password_set") == "1",
        expired=request.args.get("expired") == "1",
    ), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        end_session(db.session, current_user.token)
        logout_user()
    halfway.finish(db.session)
    db.session.commit()
    session.clear()
    return redirect(url_for("accounts.login", signed_out=1))


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(limit("login"), methods=["POST"])
def set_password(token: str) -> ResponseReturnValue:
    user = user_for_link(db.session, token)
    if user is None:
        security_event("unusable set-password link")
        return render_template("accounts/link_unusable.html"), 404
    form = SetPasswordForm()
    problem = None
    if form.validate_on_submit():
        try:
            changed = set_password_with_link(db.session, token, form.password.data or "")
        except AccountError as error:
            db.session.rollback()
            if str(error) == "link":  # used or expired since the page was shown
                return render_template("accounts/link_unusable.html"), 404
            problem = str(error)
        else:
            record(db.session, "password_set_by_link", changed)
            db.session.commit()
            logout_user()
            session.clear()
            return redirect(url_for("accounts.login", password_set=1))
    return render_template(
        "accounts/set_password.html",
        form=form,
        errors=form_errors(form, password=problem),
        email=user.email,
        password_hint=password_hint(),
    ), (400 if form.is_submitted() else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(limit("login"), methods=["POST"])
def password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    problem = None
    if form.validate_on_submit():
        user = current_user.user
        try:
            change_password(db.session, user, form.current.data or "", form.password.data or "")
        except AccountError as error:
            db.session.rollback()
            if str(error) == "current":
                form.current.errors = [_("That is not your current password.")]
            else:
                problem = str(error)
        else:
            # Every session of this user ended, copied cookies included; this browser
            # goes on with a new one.
            _sign_in(user)
            record(db.session, "password_changed", user, actor=user)
            db.session.commit()
            return redirect(url_for("accounts.password", changed=1))
    return render_template(
        "accounts/password.html",
        form=form,
        errors=form_errors(form, password=problem),
        password_hint=password_hint(),
        changed=request.args.get("changed") == "1",
    ), (400 if form.is_submitted() else 200)
