"""Views of the worker survey: thin, one service call each, commit at the end.

Flow: first page (the anonymity receipt) -> one page per question group ->
check your answers -> submit -> thank you. A resume code lets a worker finish on
another day or device. Nothing here reads the client address or user agent.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from ..errors import render_error
from ..extensions import db, limiter
from ..instruments import Instrument, Page, get_instrument
from ..models import DistributionLink, Draft
from . import bp, cookies
from .answers import (
    UnexpectedFields,
    check_complete,
    check_page,
    fields_with_bad_encoding,
    missing_option_label,
)
from .drafts import (
    answers_of,
    find_draft,
    issue_resume_code,
    resume_draft,
    save_answers,
    start_draft,
)
from .services import CodeAlreadyUsed, access_code_usable, find_link, submit_response
from .settle import settle_due, settle_wave

log = logging.getLogger(__name__)

#: Minutes the survey takes, said on the first page (piloted: 8-10 minutes).
MINUTES = 10


def _link_or_abort(token: str) -> DistributionLink:
    """The usable link for a token; the same 404 for unknown and inactive links."""
    link = find_link(db.session, token)
    if link is None or not link.active or link.wave.status == "draft":
        abort(404)
    if link.wave.is_closed:
        abort(410)
    return link


def _instrument(link: DistributionLink) -> Instrument:
    wave = link.wave
    return get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)


def _language(instrument: Instrument) -> str:
    current = str(get_locale() or "en")
    return current if current in instrument.languages else instrument.languages[0]


def _write_transaction() -> None:
    """Start a transaction that holds SQLite's write lock from its first statement.

    Reads done so far are dropped (nothing was written), so the ORM reloads what it
    needs inside the write transaction and never has to upgrade a read lock.
    """
    db.session.rollback()
    db.session.connection(execution_options={"sqlite_immediate": True})
    # Callers look the link up again after this: inside the write transaction, so a
    # wave closed meanwhile is seen before anything is stored.


def _draft(link: DistributionLink) -> Draft | None:
    return find_draft(db.session, link, cookies.draft_cookie())


def _context(link: DistributionLink, instrument: Instrument, **extra: object) -> dict[str, object]:
    return {
        "link": link,
        "wave": link.wave,
        "partnership": link.wave.partnership,
        "employer": link.employer,
        "instrument": instrument,
        "lang": _language(instrument),
        "page_count": len(instrument.pages),
        "exit_url": current_app.config["EXIT_URL"],
        **extra,
    }


def _page(instrument: Instrument, number: int) -> Page:
    if not 1 <= number <= len(instrument.pages):
        abort(404)
    return instrument.pages[number - 1]


def _continue_url(token: str, instrument: Instrument, draft: Draft) -> str:
    """Where a returning worker goes on: the first page with a required answer missing,
    or the check page when nothing required is missing."""
    missing = set(check_complete(instrument, answers_of(draft)))
    for number, page in enumerate(instrument.pages, start=1):
        if missing & set(page.items):
            return url_for("survey.page", token=token, number=number)
    return url_for("survey.check", token=token)


def _expired(link: DistributionLink) -> ResponseReturnValue:
    return redirect(url_for("survey.start", token=link.token, expired=1))


@bp.get("/<token>")
def start(token: str) -> ResponseReturnValue:
    link = _link_or_abort(token)
    instrument = _instrument(link)
    if cookies.has_answered(link.wave_id):
        return render_template("survey/already.html", **_context(link, instrument))
    draft = _draft(link)
    continue_url = _continue_url(token, instrument, draft) if draft is not None else None
    return render_template(
        "survey/start.html",
        **_context(
            link,
            instrument,
            minutes=MINUTES,
            expired=request.args.get("expired") == "1",
            has_draft=draft is not None,
            continue_url=continue_url,
        ),
    )


@bp.post("/<token>/start")
@limiter.limit("20/minute;200/hour")
def begin(token: str) -> ResponseReturnValue:
    link = _link_or_abort(token)
    instrument = _instrument(link)
    if cookies.has_answered(link.wave_id):
        return render_template("survey/already.html", **_context(link, instrument))
    if set(request.form) - {"csrf_token", "code"}:
        return render_error(400)
    code_hash = None
    if link.wave.require_codes:
        raw = request.form.get("code", "").strip()
        code_hash = access_code_usable(db.session, link, raw) if raw else None
        if code_hash is None:
            message = (
                _("Enter the code you were given.")
                if not raw
                else _("That code does not work. Check it and try again. Each code works once.")
            )
            return render_template(
                "survey/start.html",
                **_context(
                    link, instrument, minutes=MINUTES, errors={"code": message}, code=raw[:40]
                ),
            )
    _write_transaction()
    link = _link_or_abort(token)
    _draft_row, cookie = start_draft(db.session, link, _language(instrument), code_hash)
    db.session.commit()
    response = redirect(url_for("survey.page", token=token, number=1))
    cookies.set_draft_cookie(response, token, cookie)
    return response


@bp.route("/<token>/p/<int:number>", methods=["GET", "POST"])
@limiter.limit("120/minute", methods=["POST"])
def page(token: str, number: int) -> ResponseReturnValue:
    link = _link_or_abort(token)
    instrument = _instrument(link)
    survey_page = _page(instrument, number)
    draft = _draft(link)
    if draft is None:
        if cookies.has_answered(link.wave_id):
            return render_template("survey/already.html", **_context(link, instrument))
        return _expired(link)
    from_check = request.args.get("check") == "1"
    lang = _language(instrument)
    answers = answers_of(draft)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            checked = check_page(
                instrument,
                survey_page,
                request.form.to_dict(flat=False),
                lang,
                enforce_required=request.form.get("action") != "save",
                bad_encoding=fields_with_bad_encoding(
                    request.environ.get("surveyapp.raw_body", b"")
                ),
            )
        except UnexpectedFields:
            return render_error(400)
        if request.form.get("action") == "save":
            return _save_for_later(link, instrument, checked.answers, tuple(checked.cleared))
        if checked.ok:
            _write_transaction()
            link = _link_or_abort(token)
            draft = _draft(link)
            if draft is None:
                return _expired(link)
            save_answers(draft, checked.answers, tuple(checked.cleared))
            draft.language = lang
            db.session.commit()
            if from_check or number == len(instrument.pages):
                return redirect(url_for("survey.check", token=token))
            return redirect(url_for("survey.page", token=token, number=number + 1))
        errors = checked.errors
        answers = {**answers, **checked.sent}
    return render_template(
        "survey/page.html",
        **_context(
            link,
            instrument,
            page=survey_page,
            number=number,
            items=instrument.page_items(survey_page),
            answers={k: str(v) for k, v in answers.items()},
            errors=errors,
            # The error summary links to the first radio button of a question.
            error_targets={
                item.id: f"{item.id}-{item.options[0].code}" if item.kind == "choice" else item.id
                for item in instrument.page_items(survey_page)
            },
            error_labels={item.id: item.text[lang] for item in instrument.page_items(survey_page)},
            from_check=from_check,
            missing_label=lambda item: missing_option_label(item, lang),
        ),
    )


def _save_for_later(
    link: DistributionLink,
    instrument: Instrument,
    answers: dict[str, object],
    cleared: tuple[str, ...],
) -> ResponseReturnValue:
    """Keep what is valid on this page and show a resume code (shown once, never in a URL)."""
    _write_transaction()
    link = _link_or_abort(link.token)
    draft = _draft(link)
    if draft is None:
        return _expired(link)
    save_answers(draft, answers, cleared)
    code = issue_resume_code(draft)
    db.session.commit()
    return render_template("survey/saved.html", **_context(link, instrument, resume_code=code))


@bp.get("/<token>/check")
def check(token: str) -> ResponseReturnValue:
    link = _link_or_abort(token)
    instrument = _instrument(link)
    draft = _draft(link)
    if draft is None:
        if cookies.has_answered(link.wave_id):
            return render_template("survey/already.html", **_context(link, instrument))
        return _expired(link)
    return _render_check(link, instrument, draft, show_errors=False)


def _render_check(
    link: DistributionLink, instrument: Instrument, draft: Draft, *, show_errors: bool
) -> ResponseReturnValue:
    answers = answers_of(draft)
    problems = check_complete(instrument, answers)
    errors = {item_id: _("Answer this question.") for item_id in problems} if show_errors else {}
    return render_template(
        "survey/check.html",
        **_context(
            link,
            instrument,
            answers=answers,
            problems=set(problems),
            errors=errors,
            error_targets={item_id: f"row-{item_id}" for item_id in errors},
            error_labels={
                item_id: instrument.item(item_id).text[_language(instrument)] for item_id in errors
            },
        ),
    )


@bp.post("/<token>/submit")
@limiter.limit("20/minute;200/hour")
def submit(token: str) -> ResponseReturnValue:
    link = _link_or_abort(token)
    instrument = _instrument(link)
    if set(request.form) - {"csrf_token"}:
        return render_error(400)
    if cookies.has_answered(link.wave_id):
        return render_template("survey/already.html", **_context(link, instrument))
    _write_transaction()
    link = _link_or_abort(token)
    draft = _draft(link)
    if draft is None:
        return _expired(link)
    if check_complete(instrument, answers_of(draft)):
        return _render_check(link, instrument, draft, show_errors=True)
    wave_id = link.wave_id
    try:
        submit_response(db.session, link, draft, instrument)
        due = settle_due(db.session, wave_id)
        db.session.commit()
    except CodeAlreadyUsed:
        db.session.rollback()
        return render_error(
            409,
            _("That code has already been used"),
            _(
                "Each code works for one person, once. "
                "If you have not answered yet, ask for a new code."
            ),
        )
    if due:
        _settle_quietly(wave_id)
    response = redirect(url_for("survey.thanks", token=token))
    cookies.mark_answered(response, wave_id)
    cookies.clear_draft_cookie(response, token)
    return response


def _settle_quietly(wave_id: int) -> None:
    """Release comments and settle codes in their own transaction (see settle.py).

    The response is already stored; if this fails it is retried after a later
    submission, so the worker never sees an error for it.
    """
    try:
        _write_transaction()
        settle_wave(db.session, wave_id)
        db.session.commit()
    except Exception:  # noqa: BLE001 - housekeeping must never fail a stored submission
        db.session.rollback()
        log.warning("settling wave %s failed; will retry on a later submission", wave_id)


@bp.get("/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    link = _link_or_abort(token)
    return render_template("survey/thanks.html", **_context(link, _instrument(link)))


@bp.route("/<token>/resume", methods=["GET", "POST"])
@limiter.limit("10/minute;60/hour", methods=["POST"])
def resume(token: str) -> ResponseReturnValue:
    link = _link_or_abort(token)
    instrument = _instrument(link)
    if request.method == "GET":
        return render_template("survey/resume.html", **_context(link, instrument, errors={}))
    if set(request.form) - {"csrf_token", "code"}:
        return render_error(400)
    raw = request.form.get("code", "")[:40]
    _write_transaction()
    link = _link_or_abort(token)
    found = resume_draft(db.session, link, raw) if raw.strip() else None
    if found is None:
        db.session.rollback()
        message = (
            _("Enter your resume code.")
            if not raw.strip()
            else _(
                "We could not find answers saved with that code. Check the code and try "
                "again. Codes stop working after the survey is sent or after %(days)d days.",
                days=current_app.config["DRAFT_DAYS"],
            )
        )
        return render_template(
            "survey/resume.html", **_context(link, instrument, errors={"code": message}, code=raw)
        )
    draft, cookie = found
    db.session.commit()
    response = redirect(_continue_url(token, instrument, draft))
    cookies.set_draft_cookie(response, token, cookie)
    return response
