"""Survey rounds (waves): create, change while a draft, open, close, and the round's page.

Anonymity rule 10: once a round opens, k, single-use codes and the survey asked are
locked. The page shows them read only and :func:`surveyapp.waves.change_settings`
refuses a changed value even from a hand-made request.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.access import staff_required
from ..db import begin_write
from ..errors import render_error
from ..extensions import db
from ..forms import form_errors
from ..i18n import language_name
from ..models import MIN_GROUP_SIZE_FLOOR, EmployerSurvey, Wave
from ..paths import instruments_dir
from ..told import closing_notes
from ..waves import (
    LOCKED_SETTINGS,
    WaveLocked,
    change_settings,
    close_wave,
    ensure_links,
    open_wave,
)
from . import bp
from .common import (
    name_taken,
    own,
    partnership,
    partnership_waves,
    response_counts,
    wave_counts,
)
from .forms import WaveForm

#: Form field -> wave attribute, for the settings locked once a round opens.
_LOCKED_FIELDS = {
    "instrument_version": "worker_instrument_version",
    "require_codes": "require_codes",
    "min_group_size": "min_group_size",
}
assert set(_LOCKED_FIELDS.values()) <= LOCKED_SETTINGS


@cache
def worker_versions() -> tuple[int, ...]:
    """The worker survey versions shipped in ``instruments/`` (worker-v<N>.toml)."""
    found = (re.fullmatch(r"worker-v(\d+)\.toml", p.name) for p in instruments_dir().iterdir())
    return tuple(sorted(int(m.group(1)) for m in found if m))


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _fill(form: WaveForm, wave: Wave) -> None:
    form.name.data = wave.name
    form.opens_on.data = wave.opens_on.isoformat() if wave.opens_on else ""
    form.closes_on.data = wave.closes_on.isoformat() if wave.closes_on else ""
    form.instrument_version.data = str(wave.worker_instrument_version)
    form.require_codes.data = _yes_no(wave.require_codes)
    form.show_exit_button.data = _yes_no(wave.show_exit_button)
    form.min_group_size.data = str(wave.min_group_size)


@bp.get("/waves")
@staff_required
def waves() -> ResponseReturnValue:
    return render_template("staff/waves.html", waves=partnership_waves(), counts=wave_counts())


@bp.route("/waves/new", methods=["GET", "POST"])
@staff_required
def new_wave() -> ResponseReturnValue:
    return _edit(None)


@bp.route("/waves/<int:wave_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_wave(wave_id: int) -> ResponseReturnValue:
    return _edit(own(Wave, wave_id))


def _edit(wave: Wave | None) -> ResponseReturnValue:
    current = partnership()
    locked = wave is not None and wave.status != "draft"
    form = WaveForm()
    # A round that is open keeps its k even if the partnership's k rose since.
    form.setup(MIN_GROUP_SIZE_FLOOR if locked else current.min_group_size, worker_versions())
    if request.method == "GET":
        if wave is not None:
            _fill(form, wave)
        else:
            form.instrument_version.data = str(max(worker_versions()))
            form.require_codes.data = form.show_exit_button.data = "no"
            form.min_group_size.data = str(current.min_group_size)
    elif locked:
        # Locked settings are shown, not sent; a request that sends them anyway is
        # checked against the stored values by change_settings below.
        for field, attribute in _LOCKED_FIELDS.items():
            if field not in request.form:
                value = getattr(wave, attribute)
                form[field].data = _yes_no(value) if isinstance(value, bool) else str(value)
    problem: dict[str, str] = {}
    if form.validate_on_submit():
        if name_taken(Wave, form.name.data, wave.id if wave else None):
            problem["name"] = _("The partnership already has a survey round with that name.")
        else:
            new = wave is None
            target = wave or Wave(partnership_id=current.id, status="draft")
            try:
                change_settings(target, **form.settings())
            except WaveLocked:
                db.session.rollback()
                problem["locked"] = _(
                    "k, single-use codes and the survey version cannot change once a round "
                    "has opened: workers answered under those rules."
                )
            else:
                if new:
                    db.session.add(target)
                    db.session.flush()
                    ensure_links(db.session, target)
                db.session.commit()
                return redirect(url_for("staff.wave", wave_id=target.id))
    return render_template(
        "staff/wave_form.html",
        form=form,
        wave=wave,
        locked=locked,
        partnership_k=current.min_group_size,
        versions=[(str(v), _("Version %(number)d", number=v)) for v in worker_versions()],
        yes_no=[("no", _("No")), ("yes", _("Yes"))],
        errors=form_errors(form, **problem),
    ), (400 if form.is_submitted() else 200)


@bp.get("/waves/<int:wave_id>")
@staff_required
def wave(wave_id: int) -> ResponseReturnValue:
    from .links import link_rows

    found = own(Wave, wave_id)
    return render_template(
        "staff/wave.html",
        wave=found,
        links=link_rows(found),
        counts=response_counts(found.id),
        closing_notes=closing_notes(found),
        language_name=language_name,
        employer_surveys={
            survey.employer_id: survey
            for survey in db.session.scalars(
                select(EmployerSurvey).where(EmployerSurvey.wave_id == found.id)
            )
        },
        changed=request.args.get("changed", ""),
    )


@bp.route("/waves/<int:wave_id>/open", methods=["GET", "POST"])
@staff_required
def open_round(wave_id: int) -> ResponseReturnValue:
    found = own(Wave, wave_id)
    if found.status != "draft":
        return _refused(_("This round has already been opened."))
    if request.method == "POST":  # the CSRF check is global
        open_wave(db.session, found, datetime.now(UTC).date())
        db.session.commit()
        return redirect(url_for("staff.wave", wave_id=found.id, changed="opened"))
    return render_template("staff/wave_confirm.html", wave=found, action="open")


@bp.route("/waves/<int:wave_id>/close", methods=["GET", "POST"])
@staff_required
def close_round(wave_id: int) -> ResponseReturnValue:
    found = own(Wave, wave_id)
    if found.status != "open":
        return _refused(
            _("This round is already closed.")
            if found.status == "closed"
            else _("This round has not opened yet, so it cannot be closed.")
        )
    if request.method == "POST":  # the CSRF check is global
        # A fresh transaction that holds the wave against submissions (see close_wave).
        db.session.commit()
        begin_write(db.session)
        found = own(Wave, wave_id)
        try:
            close_wave(db.session, found, datetime.now(UTC).date())
        except WaveLocked:  # closed by a colleague a moment ago
            db.session.rollback()
            return _refused(_("This round is already closed."))
        db.session.commit()
        return redirect(url_for("staff.wave", wave_id=found.id, changed="closed"))
    return render_template("staff/wave_confirm.html", wave=found, action="close")


def _refused(message: str) -> ResponseReturnValue:
    return render_error(409, _("That cannot be done"), message)
