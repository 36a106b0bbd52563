"""``surveyapp results``: recompute the stored release of closed waves."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Wave
from .store import STEPS, recompute_release
from .wave_data import InstrumentMismatch


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def results() -> None:
    """A closed wave's stored figures."""


@results.command()
@click.option("--wave", "wave_id", type=int, help="Wave id (see `surveyapp waves`).")
@click.option("--all", "every", is_flag=True, help="Every closed wave.")
@with_appcontext
def recompute(wave_id: int | None, every: bool) -> None:
    """Score closed waves again and store their figures (after a scoring change).

    Each wave keeps the seed and resamples it was stored with.
    """
    if (wave_id is not None) == every:
        _fail("give either --wave ID or --all")
    if every:
        waves = list(
            db.session.scalars(select(Wave).where(Wave.status == "closed").order_by(Wave.id))
        )
    else:
        wave = db.session.get(Wave, wave_id)
        if wave is None:
            _fail(f"there is no wave {wave_id}; `surveyapp waves` lists them")
        elif wave.status != "closed":
            _fail(f"wave {wave.name!r} is {wave.status}: only a closed wave has results")
        waves = [wave]
    for wave in waves:
        label = f"{wave.id} {wave.name}"
        with click.progressbar(length=len(STEPS), label=label, file=sys.stderr) as bar:
            try:
                recompute_release(db.session, wave, progress=lambda _step: bar.update(1))
            except InstrumentMismatch as exc:
                _fail(str(exc))
        db.session.commit()  # one wave at a time: a later failure keeps earlier ones
    click.echo(f"Recomputed the results of {len(waves)} closed wave(s).")
