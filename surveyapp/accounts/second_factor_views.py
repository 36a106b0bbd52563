"""The second step of signing in, setting up the second factor, and switching it off.

Staff must have a second factor: after a right password, one who has none is taken
to set one up and is signed in only once a code from their app confirms it.
Employer users may set one up from their account page and switch it off with their
password and a code. Wrong codes count towards the sign-in rate limits of the
account (a limit shared with the password page) and go in the audit table.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_required

from ..errors import security_event
from ..extensions import db, limiter
from ..forms import form_errors
from ..models import User
from ..qr import qr_svg
from ..ratelimit import account_key, limit
from . import halfway
from .audit import record, record_limited
from .forms import CodeForm, PasswordAndCodeForm
from .passwords import verify_password
from .second_factor import (
    accept_otp,
    confirm_enrolment,
    new_recovery_codes,
    provisioning_uri,
    recovery_codes_left,
    remove,
    start_enrolment,
    use_recovery_code,
)
from .views import _safe_next, _sign_in, bp, home_url


def _account_in_hand() -> User | None:
    """Whose account this browser is signing in to, or is signed in to."""
    if current_user.is_authenticated:
        return current_user.user
    return halfway.current(db.session)


def _account_key() -> str:
    user = _account_in_hand()
    return account_key(user.email if user is not None else "")


def _limited(_limit: RequestLimit) -> None:
    record_limited(db.session, _account_in_hand())


def _wrong_code(user: User) -> str:
    db.session.rollback()
    record(db.session, "code_failed", user)
    db.session.commit()
    security_event("wrong one-time password")
    return _(
        "That one-time password is not right, or it was already used. "
        "Wait for your app to show the next one and type that."
    )


def _next_url() -> str | None:
    return _safe_next(request.args.get("next"))


def _code_limits(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Per address, and per account shared with password attempts (one budget)."""
    view = limiter.shared_limit(
        limit("login_account"),
        scope="login_account",
        key_func=_account_key,
        methods=["POST"],
        on_breach=_limited,
    )(view)
    return limiter.limit(limit("login"), methods=["POST"], on_breach=_limited)(view)


def _owner_proved(form: PasswordAndCodeForm, user: User, errors: dict[str, str]) -> bool:
    """The account's password and a one-time password or recovery key (used up):
    needed to switch the second factor off or make new recovery keys. What was wrong
    goes on the form or into ``errors``."""
    typed = form.code.data or ""
    if not verify_password(user.password_hash, form.password.data or ""):
        form.password.errors = [_("That is not your password.")]
        return False
    if accept_otp(db.session, user, typed) or use_recovery_code(db.session, user, typed):
        return True
    errors["code"] = _wrong_code(user)
    return False


def _expired() -> ResponseReturnValue:
    return redirect(url_for("accounts.login", expired=1))


@bp.route("/login/code", methods=["GET", "POST"])
@_code_limits
def code() -> ResponseReturnValue:
    user = halfway.current(db.session, "code")
    if user is None:
        return _expired()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        typed = form.code.data or ""
        by_recovery = False
        accepted = accept_otp(db.session, user, typed)
        if not accepted:
            accepted = by_recovery = use_recovery_code(db.session, user, typed)
        if accepted:
            halfway.finish(db.session)
            _sign_in(user)
            if by_recovery:
                record(db.session, "recovery_code_used", user)
            record(db.session, "sign_in", user)
            db.session.commit()
            return redirect(_next_url() or home_url())
        error = _wrong_code(user)
    elif form.is_submitted():
        db.session.rollback()
    return render_template("accounts/code.html", form=form, errors=form_errors(form, code=error)), (
        400 if form.is_submitted() else 200
    )


@bp.route("/account/second-factor/enrol", methods=["GET", "POST"])
@_code_limits
def enrol() -> ResponseReturnValue:
    signed_in = current_user.is_authenticated
    user = current_user.user if signed_in else halfway.current(db.session, "enrol")
    if user is None:
        return _expired()
    if user.has_second_factor:
        return redirect(url_for("accounts.second_factor"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        codes = confirm_enrolment(db.session, user, form.code.data or "")
        if codes is not None:
            record(db.session, "second_factor_enrolled", user, actor=user)
            if not signed_in:
                halfway.finish(db.session)
                _sign_in(user)
                record(db.session, "sign_in", user)
            db.session.commit()
            # Shown on this response only: the codes are stored as hashes alone.
            return render_template(
                "accounts/recovery_codes.html", codes=codes, next_url=_next_url() or home_url()
            )
        error = _wrong_code(user)
        user = db.session.get(User, user.id)
        assert user is not None  # noqa: S101 - it was there a moment ago
    elif form.is_submitted():
        db.session.rollback()
    secret = start_enrolment(user)
    db.session.commit()
    return render_template(
        "accounts/enrol.html",
        form=form,
        errors=form_errors(form, code=error),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=qr_svg(provisioning_uri(user, secret), _("QR code to scan with your authenticator app")),
        required=user.is_staff,
    ), (400 if form.is_submitted() else 200)


@bp.get("/account/second-factor")
@login_required
def second_factor() -> ResponseReturnValue:
    user = current_user.user
    return render_template(
        "accounts/second_factor.html",
        user=user,
        left=recovery_codes_left(db.session, user) if user.has_second_factor else 0,
        form=PasswordAndCodeForm(),
        errors={},
        changed=request.args.get("changed", ""),
    )


@bp.post("/account/second-factor/off")
@login_required
@_code_limits
def second_factor_off() -> ResponseReturnValue:
    user = current_user.user
    if user.is_staff:
        abort(404)  # staff cannot be without it; there is no such form for them
    if not user.has_second_factor:
        return redirect(url_for("accounts.second_factor"))
    form = PasswordAndCodeForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit() and _owner_proved(form, user, errors):
        remove(db.session, user)
        record(db.session, "second_factor_removed", user, actor=user)
        db.session.commit()
        return redirect(url_for("accounts.second_factor", changed="off"))
    user = db.session.get_one(User, user.id)
    db.session.rollback()
    return render_template(
        "accounts/second_factor.html",
        user=user,
        left=recovery_codes_left(db.session, user),
        form=form,
        errors=form_errors(form, **errors),
        changed="",
    ), 400


@bp.route("/account/second-factor/recovery-keys", methods=["GET", "POST"])
@login_required
@_code_limits
def recovery_keys() -> ResponseReturnValue:
    """Ten new recovery keys in place of the old ones (used up, or seen by someone),
    for the account's owner: their password and a one-time password or a key."""
    user = current_user.user
    if not user.has_second_factor:
        return redirect(url_for("accounts.second_factor"))
    form = PasswordAndCodeForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit() and _owner_proved(form, user, errors):
        codes = new_recovery_codes(db.session, user)
        record(db.session, "recovery_keys_renewed", user, actor=user)
        db.session.commit()
        # Shown on this response only: the keys are stored as hashes alone.
        return render_template(
            "accounts/recovery_codes.html",
            codes=codes,
            renewed=True,
            next_url=url_for("accounts.second_factor"),
        )
    db.session.rollback()
    return render_template(
        "accounts/recovery_keys.html",
        form=form,
        errors=form_errors(form, **errors),
        left=recovery_codes_left(db.session, user),
    ), (400 if form.is_submitted() else 200)
