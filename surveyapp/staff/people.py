"""The partnership's people: staff colleagues and employer users.

Inviting someone or resetting a password makes a single-use set-password link that
the page shows once, to copy and send however the partnership sends things (there
is no mail server). Switching an account off also ends every session it has, so a
copied cookie stops working at once.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.access import staff_required
from ..accounts.audit import record
from ..accounts.service import AccountError, create_user, end_all_sessions, issue_link
from ..errors import render_error
from ..extensions import db
from ..forms import form_errors
from ..models import Employer, User
from . import bp
from .common import own, posted_yes_no, public_base
from .forms import InviteForm


def _employers() -> list[Employer]:
    return list(
        db.session.scalars(
            select(Employer)
            .where(
                Employer.partnership_id == current_user.partnership_id,
                Employer.archived.is_(False),
            )
            .order_by(Employer.name)
        )
    )


def _link_page(user: User, purpose: str) -> ResponseReturnValue:
    token = issue_link(db.session, user, purpose)
    record(db.session, f"{purpose}_link_made", user, actor=current_user.user)
    db.session.commit()
    return render_template(
        "staff/person_link.html",
        person=user,
        purpose=purpose,
        url=f"{public_base()}{url_for('accounts.set_password', token=token)}",
    )


@bp.get("/people")
@staff_required
def people() -> ResponseReturnValue:
    users = db.session.scalars(
        select(User)
        .where(User.partnership_id == current_user.partnership_id)
        .order_by(User.role.desc(), User.email)
    ).all()
    return render_template(
        "staff/people.html", people=users, changed=request.args.get("changed", "")
    )


@bp.route("/people/new", methods=["GET", "POST"])
@staff_required
def invite() -> ResponseReturnValue:
    employers = _employers()
    form = InviteForm().setup(frozenset(e.id for e in employers))
    if request.method == "GET":
        form.access.data = "staff"
    problem = None
    if form.validate_on_submit():
        employer = next((e for e in employers if e.id == form.employer_id()), None)
        try:
            user = create_user(
                db.session,
                form.email.data,
                partnership_id=current_user.partnership_id,
                employer=employer,
            )
        except AccountError:
            db.session.rollback()
            problem = _("That email address already has an account.")
        else:
            return _link_page(user, "invite")
    options = [("staff", _("Partnership staff: everything in this console"))] + [
        (f"employer-{e.id}", _("%(name)s: their own results only", name=e.name)) for e in employers
    ]
    return render_template(
        "staff/invite.html", form=form, options=options, errors=form_errors(form, email=problem)
    ), (400 if form.is_submitted() else 200)


@bp.post("/people/<int:user_id>/reset")
@staff_required
def reset_link(user_id: int) -> ResponseReturnValue:
    user = own(User, user_id)
    if not user.active:
        return render_error(
            409, _("That cannot be done"), _("Switch the account on before making a link.")
        )
    return _link_page(user, "reset")


@bp.post("/people/<int:user_id>/active")
@staff_required
def person_active(user_id: int) -> ResponseReturnValue:
    user = own(User, user_id)
    active = posted_yes_no("active")
    if user.id == current_user.user.id:
        return render_error(
            409, _("That cannot be done"), _("You cannot switch off your own account.")
        )
    if user.active != active:
        kind = "account_switched_on" if active else "account_switched_off"
        record(db.session, kind, user, actor=current_user.user)
    user.active = active
    if not user.active:
        end_all_sessions(db.session, user.id)
    db.session.commit()
    return redirect(url_for("staff.people", changed="on" if user.active else "off"))
