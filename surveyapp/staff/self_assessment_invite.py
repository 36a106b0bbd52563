"""Inviting a partner to a round's self-assessment: a link shown once, stored hashed.

The partner needs no account. Staff choose what kind of partner it is and may give a
name or organization, which is how the round's page lists them (and how the partner
sees that the link is theirs).
"""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import Length, ValidationError

from ..accounts.access import staff_required
from ..extensions import db
from ..forms import form_errors
from ..models import Wave
from ..selfassessment.roles import PARTNER_ROLES, ROLE_LABELS
from ..selfassessment.service import LINK_LIFETIME, MAX_LABEL, assessment_of, ensure_assessment
from ..selfassessment.service import invite as make_invitation
from . import bp
from .common import own, public_base
from .forms import plain_text
from .self_assessment import closed_error


class InvitationForm(FlaskForm):
    label = StringField(
        _l("Name or organization (optional)"),
        validators=[
            Length(max=MAX_LABEL, message=_l("This must be 100 characters or fewer.")),
            plain_text,
        ],
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
        description=_l(
            "How the list of who has sent shows them, for example Valley Community College."
            " It never appears beside their answers."
        ),
    )
    role = StringField(_l("Who they are"))

    def validate_role(self, field: Field) -> None:
        if field.data not in PARTNER_ROLES:
            raise ValidationError(_l("Choose who they are."))


@bp.route("/waves/<int(max=2147483647):wave_id>/self-assessment/invite", methods=["GET", "POST"])
@staff_required
def invite_partner(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    existing = assessment_of(db.session, wave)
    if existing is not None and existing.is_closed:
        return closed_error()
    form = InvitationForm()
    if form.validate_on_submit():
        assessment = ensure_assessment(db.session, wave)
        row, token = make_invitation(
            db.session, assessment, form.role.data or "", form.label.data or ""
        )
        db.session.commit()
        path = url_for("self_assessment.overview", token=token)
        return render_template(
            "staff/self_assessment_invited.html",
            wave=wave,
            row=row,
            role=ROLE_LABELS[row.role],
            link=public_base() + path,
            days=LINK_LIFETIME.days,
        )
    return render_template(
        "staff/self_assessment_invite.html",
        wave=wave,
        form=form,
        options=[(role, ROLE_LABELS[role]) for role in PARTNER_ROLES],
        errors=form_errors(form),
    ), (400 if form.is_submitted() else 200)
