"""``surveyapp users``: create accounts and print set-password links (no mail server)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Employer, Partnership, User
from . import second_factor
from .audit import record
from .service import AccountError, create_user, issue_link


def link_url(token: str) -> str:
    """The full set-password link, on SURVEYAPP_PUBLIC_URL when it is set."""
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/") or "http://127.0.0.1:5000"
    return f"{base}/account/set-password/{token}"


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def users() -> None:
    """Staff and employer accounts."""


@users.command("create-staff")
@click.option("--partnership", "partnership_id", type=int, required=True, help="Partnership id.")
@click.option("--email", required=True, help="The staff member's email address.")
@with_appcontext
def create_staff(partnership_id: int, email: str) -> None:
    """Create a staff user and print a single-use link to set their password."""
    if db.session.get(Partnership, partnership_id) is None:
        _fail(f"there is no partnership {partnership_id}")
    _create_and_invite(email, partnership_id, None, "staff user")


@users.command("create-employer")
@click.option("--employer", "employer_id", type=int, required=True, help="Employer id.")
@click.option("--email", required=True, help="The employer user's email address.")
@with_appcontext
def create_employer(employer_id: int, email: str) -> None:
    """Create an employer user and print a single-use link to set their password."""
    employer = db.session.get(Employer, employer_id)
    if employer is None:
        _fail(f"there is no employer {employer_id}")
        return
    _create_and_invite(email, employer.partnership_id, employer, f"user of {employer.name}")


def _create_and_invite(
    email: str, partnership_id: int, employer: Employer | None, what: str
) -> None:
    try:
        user = create_user(db.session, email, partnership_id=partnership_id, employer=employer)
    except AccountError as error:
        _fail(f"{error}: {email}")
        return
    token = issue_link(db.session, user, "invite")
    record(db.session, "invite_link_made", user, via="command_line")
    db.session.commit()
    click.echo(f"Created {what} {user.email}. Send them this link to set a password")
    click.echo("(it works once, for 3 days):")
    click.echo(link_url(token))


@users.command("reset-link")
@click.option("--email", required=True, help="The account's email address.")
@with_appcontext
def reset_link(email: str) -> None:
    """Print a single-use link (valid 2 hours) to set a new password."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _fail(f"there is no account {email}")
        return
    token = issue_link(db.session, user, "reset")
    record(db.session, "reset_link_made", user, via="command_line")
    db.session.commit()
    click.echo(f"Link to set a new password for {user.email} (works once, for 2 hours):")
    click.echo(link_url(token))


@users.command("remove-second-factor")
@click.option("--email", required=True, help="The account's email address.")
@with_appcontext
def remove_second_factor(email: str) -> None:
    """Remove an account's second factor (a lost phone and lost recovery codes).

    A staff user sets a new one up at their next sign-in; an employer user signs in
    with their password alone until they set one up again.
    """
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _fail(f"there is no account {email}")
        return
    if not user.has_second_factor:
        _fail(f"{user.email} has no second factor")
        return
    second_factor.remove(db.session, user)
    record(db.session, "second_factor_removed", user, via="command_line")
    db.session.commit()
    click.echo(f"The second factor of {user.email} is removed.")


@users.command("list")
@with_appcontext
def list_users() -> None:
    """Every account: id, role, email, partnership and employer."""
    rows = db.session.execute(
        select(User.id, User.role, User.email, User.active, Partnership.name, Employer.name)
        .join(Partnership, User.partnership_id == Partnership.id)
        .outerjoin(Employer, User.employer_id == Employer.id)
        .order_by(User.id)
    ).all()
    if not rows:
        click.echo("No accounts yet.")
    for user_id, role, email, active, partnership, employer in rows:
        status = "" if active else " (inactive)"
        click.echo(f"{user_id:>5}  {role:<8}  {email}{status}  {partnership}  {employer or ''}")
