"""The audit table in the staff console: account events of the partnership's users.

Only events about this partnership's own accounts are listed (an attempt on an
account that does not exist belongs to no partnership and is shown to none), newest
first, a page at a time. Employer users never reach it (staff_required answers 404).
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.access import staff_required
from ..accounts.audit import KIND_NAMES
from ..extensions import db
from ..models import AccountEvent
from . import bp

PER_PAGE = 50


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 and int(raw) else 1


@bp.get("/account-events")
@staff_required
def account_events() -> ResponseReturnValue:
    page = _page()
    mine = AccountEvent.partnership_id == current_user.partnership_id
    total = int(db.session.scalar(select(func.count()).where(mine)) or 0)
    events = db.session.scalars(
        select(AccountEvent)
        .where(mine)
        .options(selectinload(AccountEvent.user), selectinload(AccountEvent.actor))
        .order_by(AccountEvent.occurred_at.desc(), AccountEvent.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "staff/account_events.html",
        events=events,
        names=KIND_NAMES,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
    )
