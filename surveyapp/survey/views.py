"""Views of the worker survey: thin, one service call each, commit at the end.

Flow: first page (the anonymity receipt) -> one page per question group ->
check your answers -> submit -> thank you. A resume code lets a worker finish on
another day or device. Nothing here reads the client address or user agent.

Each request reads what it needs in one query (:func:`.context.load`); a request
that writes starts its transaction with the write lock (SQLite ``BEGIN
IMMEDIATE``) before that query, so a page save is one read and one write, and a
wave closed meanwhile is seen before anything is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from ..db import begin_write
from ..errors import render_error, security_event
from ..extensions import db, limiter
from ..instruments import Instrument, Page, get_instrument
from ..ratelimit import draft_key, has_no_draft, limit
from ..settling import settle_due, settle_wave
from . import bp, context, cookies
from .answers import (
    UnexpectedFields,
    check_complete,
    check_page,
    fields_with_bad_encoding,
)
from .context import LinkInfo
from .drafts import (
    OpenDraft,
    cookie_digest,
    discard_draft,
    is_sent,
    open_with_cookie,
    resume_draft,
    save_answers,
    start_draft,
)
from .services import (
    CodeAlreadyUsed,
    DraftAlreadySent,
    WaveClosedMeanwhile,
    access_code_usable,
    submit_response,
)

log = logging.getLogger(__name__)

#: Minutes the survey takes, said on the first page (piloted: 8-10 minutes).
MINUTES = 10


def _load(
    token: str, *, write: bool = False, closed_ok: bool = False
) -> tuple[LinkInfo, OpenDraft | None]:
    """The usable link for a token and the worker's draft on it, in one query.

    Unknown, inactive and draft-wave links get the same 404; closed waves 410 (unless
    ``closed_ok``: the first page then sends the worker to "What you told us").

    :param write: start a write transaction first (SQLite takes its write lock at
        BEGIN, so the transaction never has to upgrade a read lock).
    """
    if write:
        _begin_write()
    cookie = cookies.draft_cookie()
    link, row = context.load(db.session, token, cookie_digest(cookie))
    if link is None or not link.active or link.wave.status == "draft":
        abort(404)
    if link.wave.is_closed:
        if closed_ok:
            return link, None
        abort(410)
    draft = open_with_cookie(row, link.id, cookie) if row is not None and cookie else None
    g.draft_sent = is_sent(row, link.id)
    return link, draft


def _begin_write() -> None:
    begin_write(db.session)


def _to_write_transaction() -> None:
    """Go on from the request's read to its write with SQLite's write lock held only
    for the write and its commit, not for the checks and sealing before it.

    The draft was read in a read transaction; that ends here (nothing to flush) and a
    write transaction begins. Its UPDATE stores only if the draft is still as read,
    so a save of the same draft from another tab in between is merged, not lost (see
    :func:`_store_page`). On PostgreSQL the read's transaction simply goes on.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()
        _begin_write()


def _instrument(link: LinkInfo) -> Instrument:
    wave = link.wave
    return get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)


def _language(instrument: Instrument) -> str:
    current = g.get("survey_language")
    if current is None:
        current = g.survey_language = str(get_locale() or "en")
    return current if current in instrument.languages else instrument.languages[0]


def _context(link: LinkInfo, instrument: Instrument, **extra: object) -> dict[str, object]:
    return {
        "link": link,
        "wave": link.wave,
        "partnership": link.partnership,
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


def _continue_url(token: str, instrument: Instrument, draft: OpenDraft) -> str:
    """Where a returning worker goes on: the first page with a required answer missing,
    or the check page when nothing required is missing."""
    missing = set(check_complete(instrument, draft.answers))
    for number, page in enumerate(instrument.pages, start=1):
        if missing & set(page.items):
            return url_for("survey.page", token=token, number=number)
    return url_for("survey.check", token=token)


def _expired(link: LinkInfo) -> WerkzeugResponse:
    db.session.rollback()
    return redirect(url_for("survey.start", token=link.token, expired=1))


def _answered(link: LinkInfo) -> bool:
    """This browser has sent its answers: the done mark, or its draft's sent mark."""
    return cookies.has_answered(link.wave_id) or bool(g.get("draft_sent"))


def _already(link: LinkInfo, instrument: Instrument, *, by_code: bool = False) -> Response:
    """ "Already answered"; when it is this draft that was sent (its thank-you page lost),
    it says so and sets what that page would have set.

    :param by_code: the sent draft was found by its save code, not this browser's cookie
        (whose own draft, if any, is left alone).
    """
    db.session.rollback()
    sent_here = bool(g.get("draft_sent"))
    response = make_response(
        render_template("survey/already.html", sent_here=sent_here, **_context(link, instrument))
    )
    if sent_here:
        cookies.mark_answered(response, link.wave_id, link.wave.closes_on)
        cookies.clear_draft_cookie(response, link.token)
    return response


def _tampered() -> ResponseReturnValue:
    db.session.rollback()
    security_event("tampered form")
    return render_error(400)


@bp.get("/<token>")
def start(token: str) -> ResponseReturnValue:
    link, draft = _load(token, closed_ok=True)
    if link.wave.is_closed:
        lang = request.args.get("lang")
        query: dict[str, Any] = {"lang": lang} if lang else {}
        return redirect(url_for("told.told", token=token, **query), 303)
    instrument = _instrument(link)
    if _answered(link):
        return _already(link, instrument)
    continue_url = _continue_url(token, instrument, draft) if draft is not None else None
    return render_template(
        "survey/start.html",
        **_context(
            link,
            instrument,
            minutes=MINUTES,
            expired=request.args.get("expired") == "1",
            cleared=request.args.get("cleared") == "1",
            has_draft=draft is not None,
            continue_url=continue_url,
        ),
    )


@bp.post("/<token>/start")
@limiter.limit(limit("start"))
def begin(token: str) -> ResponseReturnValue:
    if set(request.form) - {"csrf_token", "code"}:
        return _tampered()
    link, old_draft = _load(token, write=True)
    instrument = _instrument(link)
    if _answered(link):
        return _already(link, instrument)
    code_hash = None
    if link.wave.require_codes:
        raw = request.form.get("code", "").strip()
        code_hash = access_code_usable(db.session, link, raw) if raw else None
        if code_hash is None:
            db.session.rollback()
            message = (
                _("Enter the one-time code from your slip.")
                if not raw
                else _(
                    "That one-time code does not work. Check it against your slip and try again. "
                    "Each one-time code works once."
                )
            )
            return render_template(
                "survey/start.html",
                **_context(
                    link, instrument, minutes=MINUTES, errors={"code": message}, code=raw[:40]
                ),
            )
    if old_draft is not None:
        # "Start again": the earlier answers go, rather than linger until they expire.
        discard_draft(db.session, old_draft)
    cookie = start_draft(db.session, link.id, _language(instrument), code_hash)
    db.session.commit()
    response = redirect(url_for("survey.page", token=token, number=1))
    cookies.set_draft_cookie(response, token, cookie)
    return response


@bp.route("/<token>/p/<int:number>", methods=["GET", "POST"])
@limiter.limit(limit("page"), methods=["POST"])
@limiter.limit(limit("page_draft"), key_func=draft_key, exempt_when=has_no_draft, methods=["POST"])
def page(token: str, number: int) -> ResponseReturnValue:
    posted = request.method == "POST"
    link, draft = _load(token)
    instrument = _instrument(link)
    survey_page = _page(instrument, number)
    if draft is None:
        if _answered(link):
            return _already(link, instrument)
        return _expired(link)
    from_check = request.args.get("check") == "1"
    lang = _language(instrument)
    answers = dict(draft.answers)
    errors: dict[str, str] = {}
    if posted:
        saving = request.form.get("action") == "save"
        try:
            checked = check_page(
                instrument,
                survey_page,
                request.form.to_dict(flat=False),
                lang,
                enforce_required=not saving,
                bad_encoding=fields_with_bad_encoding(
                    request.environ.get("surveyapp.raw_body", b"")
                ),
            )
        except UnexpectedFields:
            return _tampered()
        if saving or checked.ok:
            _store_page(token, link, draft, checked.answers, tuple(checked.cleared), lang, saving)
            if saving:
                return redirect(url_for("survey.saved", token=token))
            if from_check or number == len(instrument.pages):
                return redirect(url_for("survey.check", token=token))
            return redirect(url_for("survey.page", token=token, number=number + 1))
        db.session.rollback()
        errors = checked.errors
        answers = {**answers, **checked.sent}
    items = instrument.page_items(survey_page)
    return render_template(
        "survey/page.html",
        **_context(
            link,
            instrument,
            page=survey_page,
            number=number,
            items=items,
            answers={k: str(v) for k, v in answers.items()},
            errors=errors,
            # The error summary links to the first radio button of each question in error.
            error_targets={
                item.id: f"{item.id}-{item.options[0].code}" if item.kind == "choice" else item.id
                for item in items
                if item.id in errors
            },
            error_labels={item.id: item.text[lang] for item in items if item.id in errors},
            from_check=from_check,
        ),
    )


#: Tries at storing a page against saves of the same draft from other tabs.
STORE_TRIES = 10


def _store_page(
    token: str,
    link: LinkInfo,
    draft: OpenDraft,
    answers: dict[str, object],
    cleared: tuple[str, ...],
    lang: str,
    saving: bool,
) -> None:
    """Store a page's answers in the draft read at the start of the request.

    The UPDATE stores only if the draft is still as read. On PostgreSQL another
    tab's save of the same draft can commit in between; the draft is then read
    again (read committed sees that save) and this page merged into it, so nothing
    saved by either tab is lost. On SQLite the write lock, taken before the read,
    already keeps them apart and the first try always stores.
    """
    _to_write_transaction()
    for _attempt in range(STORE_TRIES):
        if save_answers(
            db.session,
            draft,
            answers,
            cleared,
            lang,
            with_resume_code=saving,
        ):
            db.session.commit()
            return
        _link, fresh = _load(token)
        if fresh is None:
            # Sent from another tab meanwhile, or gone.
            abort(_already(link, _instrument(link)) if g.draft_sent else _expired(link))
        draft = fresh
    db.session.rollback()
    abort(503)


@bp.get("/<token>/saved")
def saved(token: str) -> ResponseReturnValue:
    """The resume code, shown after a save (POST/redirect/GET: a reload re-sends nothing).

    Only the browser holding the draft's cookie sees it; it is never in a URL.
    """
    link, draft = _load(token)
    instrument = _instrument(link)
    if draft is None:
        return _already(link, instrument) if _answered(link) else _expired(link)
    if not draft.contents.resume_code:
        return redirect(_continue_url(token, instrument, draft))
    return render_template(
        "survey/saved.html",
        **_context(
            link,
            instrument,
            resume_code=draft.contents.resume_code,
            continue_url=_continue_url(token, instrument, draft),
        ),
    )


@bp.get("/<token>/check")
def check(token: str) -> ResponseReturnValue:
    link, draft = _load(token)
    instrument = _instrument(link)
    if draft is None:
        if _answered(link):
            return _already(link, instrument)
        return _expired(link)
    return _render_check(link, instrument, draft, show_errors=False)


def _render_check(
    link: LinkInfo, instrument: Instrument, draft: OpenDraft, *, show_errors: bool
) -> ResponseReturnValue:
    """The check page; after a refused send, the questions still unanswered are errors
    (the page sums them up per question group)."""
    problems = check_complete(instrument, draft.answers) if show_errors else []
    return render_template(
        "survey/check.html",
        **_context(link, instrument, answers=draft.answers, errors=frozenset(problems)),
    )


@bp.post("/<token>/submit")
@limiter.limit(limit("submit"))
def submit(token: str) -> ResponseReturnValue:
    if set(request.form) - {"csrf_token"}:
        return _tampered()
    link, draft = _load(token, write=True)
    instrument = _instrument(link)
    if _answered(link):
        return _already(link, instrument)
    if draft is None:
        return _expired(link)
    if check_complete(instrument, draft.answers):
        db.session.rollback()
        return _render_check(link, instrument, draft, show_errors=True)
    wave_id = link.wave_id
    try:
        submit_response(db.session, link, draft, instrument, str(current_app.config["SECRET_KEY"]))
        due = settle_due(db.session, wave_id)
        db.session.commit()
    except WaveClosedMeanwhile:
        db.session.rollback()
        abort(410)
    except DraftAlreadySent:
        # A double tap: the first send stored the answers; this one says the same.
        db.session.rollback()
        due = False
    except CodeAlreadyUsed:
        db.session.rollback()
        security_event("single-use code reused")
        return render_error(
            409,
            _("That one-time code has already been used"),
            _(
                "Each one-time code works for one person, once. "
                "If you have not answered yet, ask for a new one-time code."
            ),
        )
    if due:
        _settle_quietly(wave_id)
    response = redirect(url_for("survey.thanks", token=token))
    cookies.mark_answered(response, wave_id, link.wave.closes_on)
    cookies.clear_draft_cookie(response, token)
    return response


def _settle_quietly(wave_id: int) -> None:
    """Release comments and settle codes in their own transaction (see settling.py).

    The response is already stored; if this fails it is retried after a later
    submission, so the worker never sees an error for it.
    """
    try:
        _begin_write()
        settle_wave(db.session, wave_id)
        db.session.commit()
    except Exception:  # noqa: BLE001 - housekeeping must never fail a stored submission
        db.session.rollback()
        log.warning("settling wave %s failed; will retry on a later submission", wave_id)


@bp.post("/<token>/discard")
@limiter.limit(limit("page"))
def discard(token: str) -> ResponseReturnValue:
    """Delete this browser's unsent answers (a worker on a shared phone)."""
    if set(request.form) - {"csrf_token"}:
        return _tampered()
    link, draft = _load(token, write=True)
    if draft is not None:
        discard_draft(db.session, draft)
    db.session.commit()
    response = redirect(url_for("survey.start", token=token, cleared=1))
    cookies.clear_draft_cookie(response, token)
    return response


@bp.get("/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    link, _draft = _load(token)
    return render_template("survey/thanks.html", **_context(link, _instrument(link)))


@bp.route("/<token>/resume", methods=["GET", "POST"])
@limiter.limit(limit("resume"), methods=["POST"])
def resume(token: str) -> ResponseReturnValue:
    if request.method == "GET":
        link, _draft = _load(token)
        instrument = _instrument(link)
        return render_template("survey/resume.html", **_context(link, instrument, errors={}))
    if set(request.form) - {"csrf_token", "code"}:
        return _tampered()
    link, _draft = _load(token, write=True)
    instrument = _instrument(link)
    raw = request.form.get("code", "")[:40]
    found = resume_draft(db.session, link.id, raw) if raw.strip() else None
    if found is None:
        db.session.rollback()
        message = (
            _("Enter your save code.")
            if not raw.strip()
            else _(
                "We could not find answers saved with that save code. Check it and try again. "
                "Save codes stop working after the survey is sent or after %(days)d days.",
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
