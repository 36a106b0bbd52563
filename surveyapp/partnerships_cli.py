"""``surveyapp partnerships``: the one step before staff can sign in, creating the
partnership itself (everything else about it is set from the staff console)."""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .extensions import db
from .models import MIN_GROUP_SIZE_FLOOR, Partnership

MAX_TEXT = 200


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _clean(value: str, what: str, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if not value or len(value) > limit or any(not ch.isprintable() for ch in value):
        _fail(f"{what} must be 1 to {limit} printable characters")
    return value


@click.group()
def partnerships() -> None:
    """Sector partnerships (tenants)."""


@partnerships.command("create")
@click.option("--name", required=True)
@click.option("--sector", required=True, help='e.g. "Healthcare"')
@click.option("--region", required=True, help='e.g. "Central Valley"')
@click.option("--living-wage", required=True, help="Hourly living wage, e.g. 24.00")
@click.option("--k", "k", type=int, default=5, show_default=True, help="Minimum group size.")
@with_appcontext
def create(name: str, sector: str, region: str, living_wage: str, k: int) -> None:
    """Create a partnership and print its id (for `surveyapp users create-staff`).

    On a new install this is the first command, so it brings the database up to date
    first, as `surveyapp demo` and `surveyapp serve` do.
    """
    from flask_migrate import upgrade

    upgrade()
    name = _clean(name, "--name")
    sector = _clean(sector, "--sector", 100)
    region = _clean(region, "--region")
    try:
        wage = Decimal(living_wage)
    except InvalidOperation:
        wage = Decimal(0)
    if not wage.is_finite() or not Decimal("0.01") <= wage <= Decimal("999999"):
        _fail("--living-wage must be an hourly amount such as 24.00")
    if k < MIN_GROUP_SIZE_FLOOR:
        _fail(f"--k cannot be below {MIN_GROUP_SIZE_FLOOR}")
    taken = db.session.scalar(
        select(Partnership.id).where(func.lower(Partnership.name) == name.lower())
    )
    if taken is not None:
        _fail(f"a partnership called {name!r} already exists (id {taken})")
    partnership = Partnership(
        name=name,
        sector=sector,
        region=region,
        living_wage=wage.quantize(Decimal("0.01")),
        min_group_size=k,
        quote_min_responses=max(10, k),
    )
    db.session.add(partnership)
    db.session.commit()
    click.echo(f"Created partnership {partnership.id}: {partnership.name}.")
    click.echo(
        f"Next: surveyapp users create-staff --partnership {partnership.id} --email YOU@EXAMPLE.ORG"
    )


@partnerships.command("list")
@with_appcontext
def list_partnerships() -> None:
    """Every partnership with its id."""
    rows = db.session.execute(select(Partnership.id, Partnership.name).order_by(Partnership.id))
    for partnership_id, name in rows:
        click.echo(f"{partnership_id:>5}  {name}")
