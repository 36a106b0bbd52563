"""``surveyapp brief``: the sector brief and employers' briefs of a closed round as PDF.

The same files the staff console and the employer pages download: the commands call
the very functions behind the routes, in the language asked for (``--lang``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from ..extensions import db
from ..i18n import supported_languages
from ..models import Employer, Wave
from ..results import NoStoredRelease, WaveNotClosed
from .brief_data import BriefSource, brief_source, employer_filename, round_employers
from .cli import _fail, _open_output
from .pdf import PAGE_SIZES


def _source(wave_id: int) -> tuple[Wave, BriefSource]:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        _fail(f"there is no wave {wave_id}; `surveyapp waves` lists them")
    try:
        return wave, brief_source(db.session, wave)
    except WaveNotClosed:
        _fail(f"wave {wave.name!r} is {wave.status}: briefs come when it closes")
    except NoStoredRelease as exc:
        _fail(str(exc))


def _language(lang: str) -> str:
    languages = supported_languages()
    if lang not in languages:
        raise click.BadParameter(
            f"{lang!r} is not one of {', '.join(languages)}", param_hint="--lang"
        )
    return lang


def _write(output: str, make: Callable[[], bytes]) -> None:
    """Make the PDF and write it to ``output``, opened first so a bad path fails at once."""
    with _open_output(output) as handle:
        try:
            handle.write(make())
        except (OSError, ValueError) as exc:
            handle.close()
            Path(output).unlink(missing_ok=True)  # no half-written file left behind
            _fail(f"could not write the brief: {exc}")


_wave_option = click.option(
    "--wave", "wave_id", type=int, required=True, help="Wave id (see `surveyapp waves`)."
)
_lang_option = click.option(
    "--lang", default="en", show_default=True, help="Language of the brief (en, es)."
)
_paper_option = click.option(
    "--paper", type=click.Choice(sorted(PAGE_SIZES)), default="letter", show_default=True
)


@click.group()
def brief() -> None:
    """PDF briefs of a closed round, made from its stored results."""


@brief.command("sector")
@_wave_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="PDF file.")
@_lang_option
@_paper_option
@with_appcontext
def sector(wave_id: int, output: str, lang: str, paper: str) -> None:
    """The sector brief, for the partnership's employer meeting (names no employer)."""
    # The staff blueprint imports this package, so its modules are imported here.
    from ..staff.briefs import sector_brief

    lang = _language(lang)
    wave, source = _source(wave_id)
    with force_locale(lang):
        _write(output, lambda: sector_brief(source, db.session, wave, paper=paper))
    click.echo(f"Wrote the sector brief of wave {wave.name!r} to {output}.")


@brief.command("employer")
@_wave_option
@click.option("--employer", "employer_id", type=int, help="Employer id: one employer's brief.")
@click.option("--all", "every", is_flag=True, help="Every employer of the round, into a folder.")
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="PDF file, or a folder with --all."
)
@_lang_option
@_paper_option
@with_appcontext
def employer(
    wave_id: int, employer_id: int | None, every: bool, output: str, lang: str, paper: str
) -> None:
    """One employer's brief (--employer ID), or every employer's (--all -o FOLDER)."""
    from ..employer.briefs import employer_brief

    if (employer_id is None) == (not every):
        raise click.UsageError("give either --employer ID or --all")
    lang = _language(lang)
    wave, source = _source(wave_id)
    if not every:
        found = db.session.get(Employer, employer_id)
        if found is None or found.partnership_id != wave.partnership_id:
            _fail(f"there is no employer {employer_id} in the partnership of wave {wave.name!r}")
        with force_locale(lang):
            _write(output, lambda: employer_brief(source, found, paper=paper))
        click.echo(f"Wrote the brief of {found.name!r} for wave {wave.name!r} to {output}.")
        return
    folder = _folder(output)
    employers = round_employers(db.session, wave)
    names: set[str] = set()
    with (
        force_locale(lang),
        click.progressbar(employers, label="Employer briefs", file=sys.stderr) as bar,
    ):
        for one in bar:
            name = employer_filename(source.facts, one)
            if name in names:  # two names with the same letters once accents are gone
                name = name.removesuffix(".pdf") + f"-{one.id}.pdf"
            names.add(name)
            path = folder / name
            try:
                path.write_bytes(employer_brief(source, one, paper=paper))
            except OSError as exc:
                _fail(f"cannot write {path}: {exc.strerror or exc}")
    click.echo(f"Wrote {len(employers)} employer brief(s) for wave {wave.name!r} to {folder}.")


def _folder(output: str) -> Path:
    """The output folder, made if missing, checked before any work."""
    folder = Path(output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    if not os.access(folder, os.W_OK | os.X_OK):
        _fail(f"cannot write {output}: permission denied")
    return folder
