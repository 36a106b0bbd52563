"""The partnership self-assessment in the staff console: rounds, who has sent, scores.

``/staff/self-assessment`` lists the rounds with the state of each self-assessment;
``/staff/waves/<id>/self-assessment`` shows who has been asked and who has sent (by
name or organization, never beside an answer), lets staff close it, and once closed
shows the element scores (chart and table) and their history over the rounds.
Invitations are in :mod:`.self_assessment_invite`, staff's own answers in
:mod:`.self_assessment_answer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from ..accounts.access import staff_required
from ..charts import Bar, interval_bars
from ..db import begin_write
from ..errors import render_error
from ..extensions import db
from ..instruments import Instrument
from ..models import SelfAssessment, SelfAssessmentRespondent, Wave
from ..selfassessment import self_assessment_figures
from ..selfassessment.answers import language
from ..selfassessment.roles import role_label
from ..selfassessment.service import assessment_of, close, instrument_of, now
from . import bp
from .common import own, partnership_waves


@dataclass(frozen=True)
class Asked:
    """One row of "who has been asked": never their answers."""

    id: int
    name: str
    role: str
    is_link: bool
    sent_on: Any
    expired: bool


def closed_error() -> ResponseReturnValue:
    return render_error(
        409,
        _("This self-assessment has closed"),
        _("Its answers can no longer change, and its links no longer work."),
    )


@bp.get("/self-assessment")
@staff_required
def self_assessments() -> ResponseReturnValue:
    waves = partnership_waves()
    found = {
        row.wave_id: row
        for row in db.session.query(SelfAssessment).filter(
            SelfAssessment.wave_id.in_([w.id for w in waves])
        )
    }
    return render_template(
        "staff/self_assessment.html",
        waves=list(reversed(waves)),
        assessments=found,
        sent={w: sum(1 for r in a.respondents if r.sent_at) for w, a in found.items()},
    )


@bp.get("/waves/<int(max=2147483647):wave_id>/self-assessment")
@staff_required
def wave_self_assessment(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    assessment = assessment_of(db.session, wave)
    instrument = instrument_of(assessment)
    lang = language(instrument)
    figures = self_assessment_figures(db.session, wave)
    names = {d.id: d.name[lang] for d in instrument.dimensions}
    elements = figures["elements"]
    return render_template(
        "staff/self_assessment_wave.html",
        wave=wave,
        assessment=assessment,
        figures=figures,
        asked=_asked(assessment),
        names=names,
        groups=[
            (_("Elements"), _("Element"), [e for e in elements if e["group"] == "element"]),
            (
                _("Centre themes"),
                _("Centre theme"),
                [e for e in elements if e["group"] == "centre"],
            ),
        ],
        chart=_chart(elements, names) if elements else None,
        notes=_notes(assessment, instrument, lang) if figures["status"] == "closed" else [],
        changed=request.args.get("changed", ""),
    )


@bp.post("/waves/<int(max=2147483647):wave_id>/self-assessment/close")
@staff_required
def close_self_assessment(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    db.session.rollback()
    begin_write(db.session)
    # For update: a respondent saving a page holds the same row share-locked.
    assessment = db.session.get(
        SelfAssessment, wave.id, populate_existing=True, with_for_update=True
    )
    if assessment is None:
        db.session.rollback()
        return redirect(url_for("staff.wave_self_assessment", wave_id=wave_id))
    close(db.session, assessment)
    db.session.commit()
    return redirect(url_for("staff.wave_self_assessment", wave_id=wave_id, changed="closed"))


@bp.post(
    "/waves/<int(max=2147483647):wave_id>/self-assessment/"
    "respondents/<int(max=2147483647):respondent_id>/withdraw"
)
@staff_required
def withdraw_invitation(wave_id: int, respondent_id: int) -> ResponseReturnValue:
    """A link given to the wrong person: it stops working and its answers go."""
    wave = own(Wave, wave_id)
    row = db.session.get(SelfAssessmentRespondent, respondent_id)
    if row is None or row.wave_id != wave.id or row.token_hash is None:
        abort(404)
    if row.assessment.is_closed:
        return closed_error()
    db.session.delete(row)
    db.session.commit()
    return redirect(url_for("staff.wave_self_assessment", wave_id=wave_id, changed="withdrawn"))


def _asked(assessment: SelfAssessment | None) -> list[Asked]:
    if assessment is None:
        return []
    moment = now()
    return [
        Asked(
            id=r.id,
            name=r.user.email if r.user is not None else r.label,
            role=role_label(r.role),
            is_link=r.token_hash is not None,
            sent_on=r.sent_at.date() if r.sent_at else None,
            expired=r.expires_at is not None and r.expires_at <= moment,
        )
        for r in assessment.respondents
    ]


def _chart(elements: list[dict[str, Any]], names: dict[str, str]) -> Markup:
    bars = [Bar(names[e["id"]], e["mean"], e["lowest"], e["highest"]) for e in elements]
    return interval_bars(
        bars, _("Score of each element from 0 to 100, with the lowest and highest respondent")
    )


def _notes(
    assessment: SelfAssessment | None, instrument: Instrument, lang: str
) -> list[tuple[str, list[str]]]:
    """Sent evidence notes by statement, sorted alphabetically so order says nothing of who."""
    if assessment is None:
        return []
    by_item: dict[str, list[str]] = {}
    for respondent in assessment.respondents:
        if respondent.sent_at is None:
            continue
        for answer in respondent.answers:
            if answer.note:
                by_item.setdefault(answer.item_id, []).append(answer.note)
    return [
        (item.text[lang], sorted(by_item[item.id], key=str.casefold))
        for item in instrument.items
        if item.id in by_item
    ]
