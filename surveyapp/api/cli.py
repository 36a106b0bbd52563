"""``surveyapp tokens``: API tokens for scripts, made and revoked from the server.

``tokens create`` prints the new token alone on its last line, so a script can take
it with ``tail -n 1``; it is shown only then (only its hash is stored).
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..accounts.audit import record
from ..extensions import db
from ..models import ApiToken, User
from .tokens import TokenError, create_token, revoke_token

DEFAULT_LABEL = "made with surveyapp tokens create"


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def tokens() -> None:
    """API tokens (read-only access to /api/v1/ as one user)."""


@tokens.command("create")
@click.option("--email", required=True, help="The account the token acts as.")
@click.option("--label", default=DEFAULT_LABEL, show_default=True, help="What it is for.")
@with_appcontext
def create(email: str, label: str) -> None:
    """Make a token for an account and print it (once: only its hash is kept)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _fail(f"there is no account {email}")
    try:
        row, token = create_token(db.session, user, label)
    except TokenError as error:
        _fail(str(error))
    record(db.session, "api_token_made", user, via="command_line")
    db.session.commit()
    what = "staff" if user.is_staff else f"user of {user.employer.name if user.employer else '?'}"
    click.echo(f"Token {row.id} for {user.email} ({what}). Keep it secret; it is shown only now:")
    click.echo(token)


@tokens.command("revoke")
@click.option("--id", "token_id", type=int, required=True, help="Token id (see `tokens list`).")
@with_appcontext
def revoke(token_id: int) -> None:
    """Revoke a token: it stops working at once."""
    row = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if row is None:
        _fail(f"there is no token {token_id}")
    if not revoke_token(db.session, row):
        _fail(f"token {token_id} was already revoked")
    record(db.session, "api_token_revoked", row.user, via="command_line")
    db.session.commit()
    click.echo(f"Token {token_id} ({row.label}) is revoked.")


@tokens.command("list")
@with_appcontext
def list_tokens() -> None:
    """Every token: id, account, label, made, last used, revoked (never the token)."""
    rows = db.session.execute(
        select(ApiToken, User.email).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    ).all()
    if not rows:
        click.echo("No API tokens yet.")
    for row, email in rows:
        used = row.last_used_on.isoformat() if row.last_used_on else "never used"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        made = f"{row.created_at:%Y-%m-%d}"
        click.echo(f"{row.id:>5}  {email}  {row.label!r}  made {made}  {used}  {state}")
