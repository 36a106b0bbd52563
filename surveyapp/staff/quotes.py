"""The quote queue: staff read each worker comment and approve it as a quote (after
taking out names, places and other details) or reject it (issue 12, rules 4 and 6).

Comments come in random-id order, never by arrival. A comment of another
partnership answers 404 like a missing one.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.access import staff_required
from ..extensions import db
from ..models import Comment, Employer, Wave
from ..quotes import MAX_QUOTE_LENGTH, QuoteError, approve, quotable_employers, reject
from . import bp

#: Comments shown on one page of the queue.
PER_PAGE = 20


def _messages() -> dict[str, str]:
    return {
        "empty": _("Write the quote, or reject the comment."),
        "too_long": _("Write at most %(limit)d characters.", limit=MAX_QUOTE_LENGTH),
        "hidden": _("Remove the hidden control characters from the text."),
    }


def _own_comment(comment_id: str) -> Comment:
    comment = db.session.get(Comment, comment_id) if len(comment_id) <= 64 else None
    if comment is None:
        abort(404)
    wave = db.session.get(Wave, comment.wave_id)
    if wave is None or wave.partnership_id != current_user.partnership_id:
        abort(404)
    return comment


def _rows(*, approved: bool, page: int) -> tuple[list[tuple[Comment, str, Wave]], int]:
    where = (
        Wave.partnership_id == current_user.partnership_id,
        Comment.reviewed.is_(approved),
        Comment.approved.is_(approved),
    )
    joined = (
        select(Comment, Employer.name, Wave)
        .join(Wave, Wave.id == Comment.wave_id)
        .join(Employer, Employer.id == Comment.employer_id)
        .where(*where)
    )
    total = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .join(Wave, Wave.id == Comment.wave_id)
        .where(*where)
    )
    rows = db.session.execute(
        joined.order_by(Comment.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return [(c, name, wave) for c, name, wave in rows], int(total or 0)


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 and int(raw) else 1


@bp.get("/quotes")
@staff_required
def quotes() -> ResponseReturnValue:
    page = _page()
    rows, total = _rows(approved=False, page=page)
    return render_template(
        "staff/quotes.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        limit=MAX_QUOTE_LENGTH,
        errors={},
        changed=request.args.get("changed", ""),
    )


@bp.get("/quotes/approved")
@staff_required
def approved_quotes() -> ResponseReturnValue:
    page = _page()
    rows, total = _rows(approved=True, page=page)
    usable = {wave.id: quotable_employers(db.session, wave) for wave in {w for _c, _n, w in rows}}
    return render_template(
        "staff/quotes_approved.html",
        rows=rows,
        usable=usable,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
    )


@bp.post("/quotes/<comment_id>")
@staff_required
def review_quote(comment_id: str) -> ResponseReturnValue:
    comment = _own_comment(comment_id)
    action = request.form.get("action", "")
    if action == "reject":
        reject(comment)
        db.session.commit()
        return redirect(url_for("staff.quotes", changed="rejected"))
    if action != "approve":
        abort(400)
    try:
        approve(comment, request.form.get("text", ""))
    except QuoteError as problem:
        db.session.rollback()
        comment = _own_comment(comment_id)
        employer = db.session.get(Employer, comment.employer_id)
        wave = db.session.get(Wave, comment.wave_id)
        return render_template(
            "staff/quotes.html",
            rows=[(comment, employer.name if employer else "", wave)],
            total=1,
            page=1,
            pages=1,
            limit=MAX_QUOTE_LENGTH,
            errors={f"text-{comment.id}": _messages()[problem.code]},
            typed={comment.id: request.form.get("text", "")[: MAX_QUOTE_LENGTH * 2]},
            changed="",
        ), 400
    db.session.commit()
    return redirect(url_for("staff.quotes", changed="approved"))
