"""``surveyapp export``: a closed wave's files for analysts (the staff console's downloads)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Wave
from .export_files import (
    SEGMENTS,
    aggregates_csv,
    claims_csv,
    closed_answers,
    codebook_csv,
    responses_csv,
)
from .store import NoStoredRelease, WaveNotClosed
from .wave_data import InstrumentMismatch

_file = click.Path(dir_okay=False, writable=True)


@click.command()
@click.option("--wave", "wave_id", type=int, required=True, help="Wave id (see `surveyapp waves`).")
@click.option("--out", type=_file, default="responses.csv", show_default=True)
@click.option("--codebook", type=_file, default="codebook.csv", show_default=True)
@click.option(
    "--language", default=None, help="Language of the codebook's labels (default: first)."
)
@click.option(
    "--claims", type=_file, default=None, help="Also write the employers' claims (for gap tests)."
)
@click.option(
    "--aggregates",
    type=_file,
    default=None,
    help="Also write each employer's figures as the sector results page shows them.",
)
@click.option(
    "--segment",
    type=click.Choice(sorted(SEGMENTS)),
    default=None,
    help="Add a segment column from each employer's size band or industry code.",
)
@with_appcontext
def export(
    wave_id: int,
    out: str,
    codebook: str,
    language: str | None,
    claims: str | None,
    aggregates: str | None,
    segment: str | None,
) -> None:
    """Write a closed wave's responses as CSV, with a codebook.

    One row per response (employer, wave, language, one column per question holding
    the answer code). Free text is never exported. For partnership staff only: it
    holds every response of every employer, however few.
    """
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise click.ClickException(f"there is no wave {wave_id}; `surveyapp waves` lists them")
    # Every file is made before any is written: a refusal leaves no half export behind.
    try:
        answers = closed_answers(db.session, wave)
        if language is not None and language not in answers.instrument.languages:
            raise click.ClickException(
                f"language {language!r} is not one of {', '.join(answers.instrument.languages)}"
            )
        files = {
            out: responses_csv(db.session, wave, answers, segment=segment),
            codebook: codebook_csv(wave, answers, language=language, segment=segment),
        }
        if claims is not None:
            files[claims] = claims_csv(db.session, wave, answers)
        if aggregates is not None:
            files[aggregates] = aggregates_csv(db.session, wave)
    except (WaveNotClosed, NoStoredRelease, InstrumentMismatch) as exc:
        raise click.ClickException(str(exc)) from exc
    for path, text in files.items():
        Path(path).write_text(text, encoding="utf-8", newline="")
    written = [f"{answers.n_responses} responses to {out}", f"the codebook to {codebook}"]
    written += [f"the claims to {claims}"] if claims is not None else []
    written += [f"the employer aggregates to {aggregates}"] if aggregates is not None else []
    click.echo(f"Wrote {', '.join(written[:-1])} and {written[-1]}.")
