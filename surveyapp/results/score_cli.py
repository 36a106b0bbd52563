"""``surveyapp score``: score an export offline, with exactly the app's method and numbers.

Needs no database and no app: the files and the instrument are all it reads.
"""

from __future__ import annotations

from typing import Any

import click

from ..instruments import InstrumentError, load_instrument
from ..scoring import gap_item_ids
from .claims_csv import read_claims_csv
from .offline import CSVError, read_responses_csv, score_responses, write_scores_json
from .segments import score_segments

_existing = click.Path(exists=True, dir_okay=False)


@click.command()
@click.argument("responses", type=_existing)
@click.option(
    "--instrument",
    "instrument_path",
    type=_existing,
    required=True,
    help="The instrument file the responses answer, e.g. instruments/worker-v1.toml.",
)
@click.option(
    "--k",
    type=click.IntRange(min=3),
    default=5,
    show_default=True,
    help="Minimum group size: no figure from fewer responses.",
)
@click.option(
    "--living-wage",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Hourly living wage (needed to score the wage question).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    show_default=True,
    help="Where to write the scores as JSON (- for the screen).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--resamples", type=click.IntRange(min=99), default=9999, show_default=True)
@click.option(
    "--claims",
    type=_existing,
    default=None,
    help="The employers' claims CSV (`surveyapp export --claims`), for the gap tests.",
)
@click.option(
    "--previous",
    type=_existing,
    default=None,
    help="The previous wave's export, for trend (employers matched by name).",
)
@click.option(
    "--previous-instrument",
    type=_existing,
    default=None,
    help="The instrument file of the previous wave (default: --instrument).",
)
@click.option(
    "--previous-k", type=click.IntRange(min=3), default=None, help="The previous wave's k."
)
@click.option(
    "--segment-column",
    default=None,
    help="Score each value of this column as a separate peer group (default: the"
    " `segment` column, when the file has one).",
)
def score(
    responses: str,
    instrument_path: str,
    k: int,
    living_wage: float | None,
    out: str,
    seed: int,
    resamples: int,
    claims: str | None,
    previous: str | None,
    previous_instrument: str | None,
    previous_k: int | None,
    segment_column: str | None,
) -> None:
    """Score a responses CSV offline, with exactly the app's method and numbers.

    With a segment column, each segment is scored as a wave of its own (its employers
    compared only with each other) and the JSON is {"segments": {name: scores}}.
    """
    try:
        instrument = load_instrument(instrument_path)
        earlier = load_instrument(previous_instrument) if previous_instrument else instrument
    except InstrumentError as exc:
        raise click.ClickException(str(exc)) from exc
    if living_wage is None and any(
        item.scoring == "living_wage_ratio" for item in instrument.scored_items
    ):
        raise click.ClickException(
            "this instrument scores the wage question against the living wage: give --living-wage"
        )
    try:
        read = read_responses_csv(responses, instrument, segment_column=segment_column)
        if segment_column is not None and read.segments is None:
            raise CSVError(f"{responses}, column {segment_column!r}: is missing")
        options: dict[str, Any] = {
            "k": k,
            "living_wage": living_wage,
            "seed": seed,
            "n_resamples": resamples,
            "claims": None
            if claims is None
            else read_claims_csv(claims, read.employer_labels, gap_item_ids(instrument)),
            "previous": None
            if previous is None
            else read_responses_csv(previous, earlier, segment_column=segment_column),
            "previous_instrument": earlier,
            "previous_k": previous_k,
        }
        if read.segments is None:
            data = score_responses(read, instrument, **options)
        else:
            data = score_segments(read, instrument, **options)
    except CSVError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.open_file(out, "w", encoding="utf-8") as handle:
        write_scores_json(data, handle)
    if out != "-":
        click.echo(f"Wrote scores of {_what(data)} to {out}.")


def _what(data: dict[str, Any]) -> str:
    if "segments" not in data:
        return f"{len(data['employers'])} employers"
    employers = sum(len(part["employers"]) for part in data["segments"].values())
    return f"{employers} employers in {len(data['segments'])} segments"
