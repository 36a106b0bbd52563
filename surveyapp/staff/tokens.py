"""API tokens in the staff console: list, make (shown once), revoke.

A token acts as one active user of the partnership and reads what that user may
(see surveyapp/api). It is shown once, on the page that follows its making, to copy
into a script; only its hash is stored. Revoking takes effect at the next request.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import Field, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..accounts.access import staff_required
from ..accounts.audit import record
from ..api.tokens import MAX_LABEL, create_token, partnership_tokens, revoke_token
from ..extensions import db
from ..forms import form_errors
from ..models import ApiToken, User
from . import bp
from .common import public_base
from .forms import plain_text, whole_number


class TokenForm(FlaskForm):
    """``setup(user_ids)`` before validating."""

    label = StringField(
        _l("What the token is for"),
        validators=[
            DataRequired(_l("Say what the token is for.")),
            Length(max=MAX_LABEL, message=_l("This must be 100 characters or fewer.")),
            plain_text,
        ],
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
        description=_l("For example: nightly copy to the workforce board's dashboard."),
    )
    owner = StringField(_l("Whose access the token has"))

    user_ids: frozenset[int] = frozenset()

    def setup(self, user_ids: frozenset[int]) -> TokenForm:
        self.user_ids = user_ids
        return self

    def validate_owner(self, field: Field) -> None:
        if self.owner_id() not in self.user_ids:
            raise ValidationError(_l("Choose one of the accounts."))

    def owner_id(self) -> int | None:
        return whole_number(self.owner.data)


def _active_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.partnership_id == current_user.partnership_id, User.active.is_(True))
            .order_by(User.role.desc(), User.email)
        )
    )


def _own_token(token_id: int) -> ApiToken:
    """Token ``token_id`` if its user is of this partnership; else the 404 of a missing one."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user.partnership_id != current_user.partnership_id:
        abort(404)
    return row


@bp.get("/tokens")
@staff_required
def api_tokens() -> ResponseReturnValue:
    return render_template(
        "staff/tokens.html",
        tokens=partnership_tokens(db.session, current_user.partnership_id),
        changed=request.args.get("changed", ""),
    )


@bp.route("/tokens/new", methods=["GET", "POST"])
@staff_required
def new_api_token() -> ResponseReturnValue:
    users = _active_users()
    form = TokenForm().setup(frozenset(u.id for u in users))
    if form.validate_on_submit():
        owner = next(u for u in users if u.id == form.owner_id())
        row, token = create_token(db.session, owner, form.label.data or "")
        record(db.session, "api_token_made", owner, actor=current_user.user)
        db.session.commit()
        return render_template(
            "staff/tokens_created.html", row=row, owner=owner, token=token, base=public_base()
        )
    options = [
        (
            str(u.id),
            _l("%(email)s: partnership staff", email=u.email)
            if u.is_staff
            # An employer user always has one (check constraint users.employer_matches_role).
            else _l("%(email)s: %(employer)s only", email=u.email, employer=u.employer.name),  # type: ignore[union-attr]
        )
        for u in users
    ]
    return render_template(
        "staff/tokens_new.html", form=form, options=options, errors=form_errors(form)
    ), (400 if form.is_submitted() else 200)


@bp.post("/tokens/<int(max=2147483647):token_id>/revoke")
@staff_required
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    row = _own_token(token_id)
    if revoke_token(db.session, row):
        record(db.session, "api_token_revoked", row.user, actor=current_user.user)
    db.session.commit()
    return redirect(url_for("staff.api_tokens", changed="revoked"))
