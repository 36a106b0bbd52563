"""A round's survey links, one per employer: the full address, its QR code, and
rotating, switching off and on. Each change is a POST form with its CSRF token.

Rotating gives the link a new token; the old one then answers 404 like any
unknown token. Single-use codes stay with the link (they belong to the employer's
round, not to the address).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..accounts.access import staff_required
from ..errors import render_error
from ..extensions import db
from ..models import DistributionLink, Employer, Wave
from ..qr import qr_svg
from ..waves import new_link_token
from . import bp
from .common import own, own_link, posted_yes_no, survey_url


@dataclass(frozen=True)
class LinkRow:
    link: DistributionLink
    employer: Employer
    url: str
    qr: Markup


def link_rows(wave: Wave) -> list[LinkRow]:
    """The round's links by employer name, each with its full address and QR code."""
    pairs = db.session.execute(
        select(DistributionLink, Employer)
        .join(Employer, Employer.id == DistributionLink.employer_id)
        .where(DistributionLink.wave_id == wave.id)
        .order_by(Employer.name)
    ).all()
    rows = []
    for link, employer in pairs:
        url = survey_url(link.token)
        label = _("QR code for the survey link of %(name)s", name=employer.name)
        rows.append(LinkRow(link, employer, url, qr_svg(url, label, cache=True)))
    return rows


@bp.post("/waves/<int:wave_id>/links/<int:link_id>/rotate")
@staff_required
def rotate_link(wave_id: int, link_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    link = own_link(wave, link_id)
    if wave.status == "closed":
        return render_error(409, _("That cannot be done"), _("This round is closed."))
    link.token = new_link_token()
    db.session.commit()
    return redirect(url_for("staff.wave", wave_id=wave.id, changed="rotated") + f"#link-{link.id}")


@bp.post("/waves/<int:wave_id>/links/<int:link_id>/active")
@staff_required
def link_active(wave_id: int, link_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    link = own_link(wave, link_id)
    link.active = posted_yes_no("active")
    db.session.commit()
    changed = "activated" if link.active else "deactivated"
    return redirect(url_for("staff.wave", wave_id=wave.id, changed=changed) + f"#link-{link.id}")
