"""The self-assessment at a partner's link: ``/self-assessment/<token>``, no account.

A link that is unknown, expired, withdrawn, or whose self-assessment has closed
answers the same 404 as any page that does not exist, so trying links teaches
nothing. The token sits in the URL like a set-password link's: every page sends
``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` and loads nothing
from another site (security.py).
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..errors import security_event
from ..extensions import db, limiter
from ..models import SelfAssessmentRespondent
from ..ratelimit import limit
from . import flow
from .roles import role_label
from .service import respondent_for_link

bp = Blueprint("self_assessment", __name__, url_prefix="/self-assessment")


def _unusable() -> NoReturn:
    security_event("unusable self-assessment link")
    abort(404)


def _place(token: str) -> flow.Place:
    respondent = respondent_for_link(db.session, token)
    if respondent is None:
        _unusable()

    def find(_create: bool) -> SelfAssessmentRespondent | None:
        return respondent_for_link(db.session, token)

    role = role_label(respondent.role)
    return flow.Place(
        wave=respondent.assessment.wave,
        overview="self_assessment.overview",
        page="self_assessment.page",
        send="self_assessment.send",
        args={"token": token},
        find=find,
        closed=_unusable,
        who=_("Invited as: %(role)s, %(label)s", role=role, label=respondent.label)
        if respondent.label
        else _("Invited as: %(role)s", role=role),
    )


@bp.get("/<token>")
def overview(token: str) -> ResponseReturnValue:
    return flow.overview(_place(token))


@bp.route("/<token>/<int(max=99):number>", methods=["GET", "POST"])
@limiter.limit(limit("page"), methods=["POST"])
def page(token: str, number: int) -> ResponseReturnValue:
    return flow.page(_place(token), number)


@bp.post("/<token>/send")
@limiter.limit(limit("page"))
def send(token: str) -> ResponseReturnValue:
    return flow.send(_place(token))
