"""``surveyapp poster``: print-ready QR posters of a round, one page per employer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO, NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Wave
from .pdf import PAGE_SIZES
from .poster import poster_pdf
from .poster_links import active_links, poster_link, posters_title


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _open_output(path: str) -> BinaryIO:
    """The output file, opened before any work so a bad path fails in one line at once."""
    try:
        return open(path, "wb")  # noqa: SIM115 - closed by the caller's with block
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


@click.command()
@click.option("--wave", "wave_id", type=int, required=True, help="Wave id (see `surveyapp waves`).")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="PDF file."
)
@click.option(
    "--paper",
    type=click.Choice(sorted(PAGE_SIZES)),
    default="letter",
    show_default=True,
    help="Paper size.",
)
@with_appcontext
def poster(wave_id: int, output: str, paper: str) -> None:
    """QR posters of a round's switched-on survey links, one page per employer.

    The links use SURVEYAPP_PUBLIC_URL, the address workers' phones open, exactly
    as the staff console shows them.
    """
    # The staff console's own function, so printed and shown links are identical. It
    # needs no request when SURVEYAPP_PUBLIC_URL is set, and without it a command
    # has no address phones could open (127.0.0.1 would print useless posters).
    from ..staff.common import survey_url
    from ..survey.views import MINUTES

    if not str(current_app.config["PUBLIC_URL"]).strip("/"):
        _fail(
            "set SURVEYAPP_PUBLIC_URL to the address workers open, e.g. "
            "SURVEYAPP_PUBLIC_URL=https://survey.example.org"
        )
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        _fail(f"there is no wave {wave_id}; `surveyapp waves` lists them")
    if wave.status == "closed":
        _fail(f"wave {wave.name!r} is closed: its links no longer take answers, so no posters")
    pairs = active_links(db.session, wave)
    if not pairs:
        _fail(f"wave {wave.name!r} has no switched-on survey link")
    posters = [poster_link(wave, link, employer, survey_url) for link, employer in pairs]
    with _open_output(output) as handle:
        try:
            with click.progressbar(length=len(posters), label="Posters", file=sys.stderr) as bar:
                data = poster_pdf(
                    posters,
                    k=wave.min_group_size,
                    minutes=MINUTES,
                    paper=paper,
                    title=posters_title(wave),
                    progress=lambda: bar.update(1),
                )
            handle.write(data)
        except (OSError, ValueError) as exc:
            handle.close()
            Path(output).unlink(missing_ok=True)  # no half-written file left behind
            _fail(f"could not write the posters: {exc}")
    click.echo(f"Wrote {len(posters)} poster page(s) for wave {wave.name!r} to {output}.")
