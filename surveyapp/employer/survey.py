"""The employer survey: an employer's users describe its practices, once per round.

One question group a page, as in the worker survey: errors beside each question and
in a summary at the top, no JavaScript needed. Each page is saved when it is sent, so
a colleague can pick up where another stopped; the overview checks the answers and
sends the survey. Answers can change until the round closes; at close the sent
answers become the employer's claims (:mod:`surveyapp.results.claims`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.access import employer_required
from ..db import begin_write
from ..errors import render_error
from ..extensions import db
from ..instruments import Instrument, get_instrument
from ..models import DistributionLink, EmployerAnswer, EmployerSurvey, Wave
from . import bp
from .survey_answers import WAY_OUT_SUFFIX, PostedPage, Value, read_page
from .survey_display import answer_rows, language, page_states

#: The employer survey new rounds ask.
EMPLOYER_INSTRUMENT = ("employer", 1)


def _wave(wave_id: int) -> Wave:
    """A round the signed-in user's employer takes part in (it has a link), else 404."""
    wave = db.session.get(Wave, wave_id)
    if wave is None or wave.partnership_id != current_user.partnership_id:
        abort(404)
    taking_part = db.session.scalar(
        select(DistributionLink.id).where(
            DistributionLink.wave_id == wave.id,
            DistributionLink.employer_id == current_user.employer_id,
        )
    )
    if taking_part is None:
        abort(404)
    return wave


def _survey(wave: Wave) -> EmployerSurvey | None:
    return db.session.get(EmployerSurvey, (wave.id, current_user.employer_id))


def _instrument(survey: EmployerSurvey | None) -> Instrument:
    if survey is not None:
        return get_instrument(survey.instrument_key, survey.instrument_version)
    return get_instrument(*EMPLOYER_INSTRUMENT)


def _stored(survey: EmployerSurvey | None) -> dict[str, Value]:
    if survey is None:
        return {}
    return {a.item_id: Value(code=a.code, number=a.number) for a in survey.answers}


def _closed() -> ResponseReturnValue:
    return render_error(
        409,
        _("This round has closed"),
        _("Answers can no longer change: the round's results were worked out with them."),
    )


@bp.get("/waves/<int:wave_id>/survey")
@employer_required
def survey(wave_id: int) -> ResponseReturnValue:
    """The overview: each page with its state, every answer, and the send button."""
    wave = _wave(wave_id)
    found = _survey(wave)
    instrument = _instrument(found)
    stored = _stored(found)
    states = page_states(instrument, stored)
    return render_template(
        "employer/survey.html",
        wave=wave,
        instrument=instrument,
        lang=language(instrument),
        survey=found,
        pages=states,
        rows=answer_rows(instrument, stored),
        editable=wave.status != "closed",
        complete=all(state.complete for state in states),
        changed=request.args.get("changed", ""),
    )


@bp.route("/waves/<int:wave_id>/survey/<int:number>", methods=["GET", "POST"])
@employer_required
def survey_page(wave_id: int, number: int) -> ResponseReturnValue:
    wave = _wave(wave_id)
    found = _survey(wave)
    instrument = _instrument(found)
    if not 1 <= number <= len(instrument.pages):
        abort(404)
    if wave.status == "closed":
        return _closed()
    page = instrument.pages[number - 1]
    if request.method == "POST":  # the CSRF check is global
        posted = read_page(instrument, page.items, request.form)
        if not posted.errors:
            if not _save(wave.id, instrument, posted):
                return _closed()
            if number < len(instrument.pages) and request.form.get("action") != "overview":
                return redirect(url_for("employer.survey_page", wave_id=wave.id, number=number + 1))
            return redirect(url_for("employer.survey", wave_id=wave.id, changed="saved"))
        typed, errors = posted.typed, posted.errors
    else:
        typed, errors = _typed(instrument, page.items, _stored(found)), {}
    return render_template(
        "employer/survey_page.html",
        wave=wave,
        instrument=instrument,
        lang=language(instrument),
        page=page,
        number=number,
        page_count=len(instrument.pages),
        items=[instrument.item(i) for i in page.items],
        typed=typed,
        errors=errors,
        error_labels={i: instrument.item(i).text[language(instrument)] for i in errors},
        unit_labels={
            "dollars_per_hour": _("Dollars an hour"),
            "days": _("Days"),
            "hours": _("Hours"),
            "count": _("Number of workers"),
        },
    ), (400 if errors else 200)


@bp.post("/waves/<int:wave_id>/survey/send")
@employer_required
def send_survey(wave_id: int) -> ResponseReturnValue:
    wave = _wave(wave_id)
    db.session.commit()
    begin_write(db.session)
    wave = _wave(wave_id)
    if wave.status == "closed":
        db.session.rollback()
        return _closed()
    found = _survey(wave)
    instrument = _instrument(found)
    if found is None or not all(s.complete for s in page_states(instrument, _stored(found))):
        db.session.rollback()
        return redirect(url_for("employer.survey", wave_id=wave.id, changed="incomplete"))
    found.sent_at = found.updated_at = _now()
    db.session.commit()
    return redirect(url_for("employer.survey", wave_id=wave.id, changed="sent"))


def _save(wave_id: int, instrument: Instrument, posted: PostedPage) -> bool:
    """Store one page's answers; False when the round closed meanwhile.

    The round is read again inside the write transaction, which the close also takes,
    so a page never changes answers after the release was computed from them.
    """
    for attempt in range(2):
        db.session.rollback()
        begin_write(db.session)
        wave = db.session.get(Wave, wave_id, populate_existing=True, with_for_update={"read": True})
        if wave is None or wave.status == "closed":
            db.session.rollback()
            return False
        try:
            _write(wave, instrument, posted)
            db.session.commit()
            return True
        except IntegrityError:  # a colleague started the same survey a moment ago
            db.session.rollback()
            if attempt:
                raise
    return False  # pragma: no cover - the loop returns or raises


def _write(wave: Wave, instrument: Instrument, posted: PostedPage) -> None:
    employer_id = current_user.employer_id
    found = db.session.get(EmployerSurvey, (wave.id, employer_id))
    if found is None:
        found = EmployerSurvey(
            wave_id=wave.id,
            employer_id=employer_id,
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            instrument_checksum=instrument.checksum,
            sent_at=None,
        )
        db.session.add(found)
    found.updated_at = _now()
    db.session.flush()
    for item_id, value in posted.values.items():
        existing = db.session.get(EmployerAnswer, (wave.id, employer_id, item_id))
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        if value is not None:
            db.session.add(
                EmployerAnswer(
                    wave_id=wave.id,
                    employer_id=employer_id,
                    item_id=item_id,
                    code=value.code,
                    number=value.number,
                )
            )
    db.session.flush()


def _typed(
    instrument: Instrument, item_ids: tuple[str, ...], stored: dict[str, Value]
) -> dict[str, str]:
    """Stored answers as the page's inputs show them."""
    typed: dict[str, str] = {}
    for item_id in item_ids:
        value = stored.get(item_id)
        if value is None:
            continue
        if instrument.item(item_id).kind == "number" and value.number is None:
            typed[item_id + WAY_OUT_SUFFIX] = str(value.code)
        elif value.number is not None:
            whole = instrument.item(item_id).unit != "dollars_per_hour"
            typed[item_id] = f"{value.number:.0f}" if whole else f"{value.number:.2f}"
        else:
            typed[item_id] = str(value.code)
    return typed


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
