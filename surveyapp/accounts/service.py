"""Accounts: creating users, set-password links, signing in and out.

A signed-in session is a row in ``account_sessions``; the browser holds its token.
Signing out deletes the row and changing a password deletes every row of the user,
so a copied cookie stops working at once (OWASP ASVS 3.3.1, 3.3.3); a row also stops
working when idle or old (IDLE_TIMEOUT, ABSOLUTE_TIMEOUT), checked on every request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..db import Session
from ..models import AccountSession, AccountToken, Employer, User
from . import clock
from .passwords import hash_password, needs_rehash, password_problem, verify_password
from .tokens import new_token, token_hash

#: How long a link stays usable: an invite may wait over a weekend; a reset is fresh.
LINK_LIFETIME = {"invite": timedelta(days=3), "reset": timedelta(hours=2)}
MAX_EMAIL_LENGTH = 254
#: A signed-in session ends after 30 minutes without a request and 12 hours after
#: sign-in however active (OWASP ASVS 3.3.2; a shared office computer left open).
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
#: How stale ``seen_at`` may be: the idle timeout is therefore between 29 and 30 minutes.
SEEN_AT_EVERY = timedelta(minutes=1)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


def now() -> datetime:
    return clock.now()


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def email_problem(email: str) -> bool:
    """True when ``email`` (normalised) is not an address we can store."""
    local, _at, domain = email.partition("@")
    return (
        not local
        or "." not in domain
        or len(email) > MAX_EMAIL_LENGTH
        or any(ch.isspace() or not ch.isprintable() or ch in "<>\"'" for ch in email)
        or "@" in domain
    )


def create_user(
    session: Session, email: str, *, partnership_id: int, employer: Employer | None = None
) -> User:
    """A staff user (no ``employer``) or an employer user, without a password yet.

    :raises AccountError: a malformed email, one already in use, or an employer of
        another partnership.
    """
    email = normalise_email(email)
    if email_problem(email):
        raise AccountError("not an email address")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("that email address already has an account")
    if employer is not None and employer.partnership_id != partnership_id:
        raise AccountError("that employer belongs to another partnership")
    user = User(
        email=email,
        role="employer" if employer is not None else "staff",
        partnership_id=partnership_id,
        employer_id=employer.id if employer is not None else None,
        password_hash="",
        active=True,
        created_at=now(),
    )
    session.add(user)
    session.flush()
    return user


def issue_link(session: Session, user: User, purpose: str = "invite") -> str:
    """A new single-use set-password token for ``user``; earlier ones stop working."""
    session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    token = new_token()
    session.add(
        AccountToken(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=now() + LINK_LIFETIME[purpose],
        )
    )
    session.flush()
    return token


def user_for_link(session: Session, token: str) -> User | None:
    """The user a set-password link is for, if it is unused, unexpired and theirs."""
    if not token or len(token) > 100:
        return None
    row = session.get(AccountToken, token_hash(token))
    if row is None or row.expires_at < now():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def set_password_with_link(session: Session, token: str, password: str) -> User:
    """Use a set-password link: the password is set, the link and all sessions end.

    :raises AccountError: the link is unknown, used or expired, or the password is
        not allowed (the message is the reason, for the form).
    """
    user = user_for_link(session, token)
    if user is None:
        raise AccountError("link")
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem)
    _set_password(session, user, password)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """:raises AccountError: the current password is wrong or the new one not allowed."""
    if not verify_password(user.password_hash, current):
        raise AccountError("current")
    problem = password_problem(new, user.email)
    if problem:
        raise AccountError(problem)
    _set_password(session, user, new)


def _set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    end_all_sessions(session, user.id)
    session.flush()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (one answer for both
    a wrong email and a wrong password, taking the same time)."""
    email = normalise_email(email)
    # A malformed address (a NUL byte, 10,000 characters) never reaches the database.
    user = None if email_problem(email) else session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        verify_password("", password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def account_for_email(session: Session, email: str) -> User | None:
    """The account a typed email address names, for the audit table, or None."""
    email = normalise_email(email)
    if email_problem(email):
        return None
    return session.scalar(select(User).where(User.email == email))


def start_session(session: Session, user: User, stage: str = "signed_in") -> str:
    """A new server-side session for ``user``; the token goes in the browser's cookie.

    ``stage`` other than ``signed_in`` is a half-signed-in state (halfway.py).
    """
    token = new_token()
    moment = now()
    # Sessions of this user that can no longer be used are cleared out on the way.
    session.execute(
        delete(AccountSession).where(
            AccountSession.user_id == user.id,
            (AccountSession.created_at <= moment - ABSOLUTE_TIMEOUT)
            | (AccountSession.seen_at <= moment - IDLE_TIMEOUT),
        )
    )
    session.add(
        AccountSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=moment,
            seen_at=moment,
            stage=stage,
        )
    )
    session.flush()
    return token


def session_row(session: Session, token: str) -> AccountSession | None:
    if not token or len(token) > 100:
        return None
    return session.get(AccountSession, token_hash(token))


def timed_out(row: AccountSession, moment: datetime) -> bool:
    """Whether a signed-in session has been idle too long or lived too long."""
    return moment - row.seen_at >= IDLE_TIMEOUT or moment - row.created_at >= ABSOLUTE_TIMEOUT


def needs_touch(row: AccountSession, moment: datetime) -> bool:
    # seen_at moves at most once a minute, so reading pages does not write each time.
    return moment - row.seen_at >= SEEN_AT_EVERY


def touch_session(session: Session, row_hash: str, moment: datetime) -> None:
    session.execute(
        update(AccountSession).where(AccountSession.token_hash == row_hash).values(seen_at=moment)
    )


def user_for_session(session: Session, token: str) -> User | None:
    """The user of a live, fully signed-in session: not half-way through signing in,
    not timed out, an active account, and for staff with the second factor set up."""
    row = session_row(session, token)
    if row is None or row.stage != "signed_in" or timed_out(row, now()):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if user.is_staff and not user.has_second_factor:
        return None
    return user


def end_session(session: Session, token: str) -> None:
    session.execute(delete(AccountSession).where(AccountSession.token_hash == token_hash(token)))


def end_all_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(AccountSession).where(AccountSession.user_id == user_id))
