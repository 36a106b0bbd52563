"""Recording account events (see models/account_event.py for what is never stored).

Callers pass users, never what was typed: the table has no column a password, code,
token or typed email could go into.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..db import Session
from ..models import AccountEvent, User
from . import clock

#: At most one "too many attempts" row an account a minute: a flood of refused
#: attempts cannot fill the table, and one row says all there is to say.
LIMITED_EVERY = timedelta(minutes=1)

#: The console's words for each kind.
KIND_NAMES = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in refused: wrong email address or password"),
    "code_failed": _l("Sign-in refused: wrong one-time password or recovery key"),
    "sign_in_limited": _l("Sign-in blocked: too many attempts"),
    "second_factor_enrolled": _l("Two-step sign-in set up"),
    "second_factor_removed": _l("Two-step sign-in switched off"),
    "recovery_code_used": _l("Signed in with a recovery key"),
    "recovery_keys_renewed": _l("New recovery keys made"),
    "password_changed": _l("Password changed"),
    "password_set_by_link": _l("Password set with a link"),
    "invite_link_made": _l("Invitation link made"),
    "reset_link_made": _l("Password reset link made"),
    "api_token_made": _l("API token made"),
    "api_token_revoked": _l("API token revoked"),
    "account_switched_off": _l("Account switched off"),
    "account_switched_on": _l("Account switched on"),
}


def acting_user() -> User | None:
    """The signed-in user of this request, if any (never the half-signed-in one)."""
    try:
        return current_user.user if current_user.is_authenticated else None
    except (AttributeError, RuntimeError):
        return None


def record(
    session: Session,
    kind: str,
    user: User | None,
    *,
    actor: User | None = None,
    via: str = "web",
) -> None:
    """Add one event to ``session`` (the caller commits it with what it describes).

    :param user: the account concerned; None for an account that does not exist.
    :param actor: who acted, when not the account itself signing in.
    """
    if kind not in KIND_NAMES:
        raise ValueError(kind)
    session.add(
        AccountEvent(
            occurred_at=clock.now(),
            kind=kind,
            user_id=user.id if user is not None else None,
            actor_id=actor.id if actor is not None else None,
            partnership_id=user.partnership_id if user is not None else None,
            via=via,
        )
    )


def record_limited(session: Session, user: User | None) -> None:
    """Record (in a transaction of its own) a sign-in step refused by a rate limit."""
    user_id = user.id if user is not None else None
    session.rollback()
    recent = session.scalar(
        select(AccountEvent.id)
        .where(
            AccountEvent.kind == "sign_in_limited",
            AccountEvent.user_id.is_(None) if user_id is None else AccountEvent.user_id == user_id,
            AccountEvent.occurred_at > clock.now() - LIMITED_EVERY,
        )
        .limit(1)
    )
    if recent is None:
        record(session, "sign_in_limited", session.get(User, user_id) if user_id else None)
        session.commit()
