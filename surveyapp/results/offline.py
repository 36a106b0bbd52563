"""Score a wave offline from a CSV export, with exactly the app's numbers.

The CSV format (written by :func:`write_responses_csv`, read by
:func:`read_responses_csv`), one row per response:

* ``employer``: the employer's label (required);
* ``wave``: the wave's label (optional; one wave per file);
* ``language``: the language the survey was taken in (optional; an equity subgroup);
* ``segment``: the employer's peer group, e.g. its size band (optional; the same on
  every row of one employer; ``surveyapp score`` then scores each segment apart, see
  :mod:`.segments`). ``read_responses_csv(segment_column=...)`` reads another column
  name as the segment;
* one column per choice item, named by item id (``PAY1``, ``PAY2``, ...), holding the
  stored option code; an empty cell is a blank answer. Free-text answers are never
  exported (DESIGN.md anonymity rule 4).

:func:`write_codebook` describes every column and code. :func:`score_csv` reads a
CSV and calls :func:`surveyapp.scoring.release`, the same function the app calls
with codes read from its database, then :func:`release_to_dict` turns the result into
JSON-ready data. Because :func:`~surveyapp.scoring.release` orders rows canonically
and seeds every bootstrap from the data itself, the numbers do not depend on the order
of rows or on how employers are numbered.

No Flask and no database here: pure Python, numpy and the scoring package. Errors are
:class:`CSVError` (a ``ValueError``) naming the file, row and column; rows are counted
as a spreadsheet counts them (the header is row 1).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..instruments.model import Instrument
from ..scoring import PreviousWave, Release, choice_item_ids, code_table, release
from ..scoring.items import valid_code_table

__all__ = [
    "EMPLOYER_COLUMN",
    "SEGMENT_COLUMN",
    "WAVE_COLUMN",
    "CSVError",
    "OfflineResponses",
    "read_responses_csv",
    "release_to_dict",
    "score_csv",
    "score_responses",
    "write_codebook",
    "write_responses_csv",
    "write_scores_json",
]

EMPLOYER_COLUMN = "employer"
WAVE_COLUMN = "wave"
LANGUAGE_COLUMN = "language"
SEGMENT_COLUMN = "segment"
#: Columns that describe a response rather than answer a question.
RESERVED_COLUMNS = (EMPLOYER_COLUMN, WAVE_COLUMN, LANGUAGE_COLUMN)
#: A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV
#: injection, ASVS 5.0 1.2.10): such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


class CSVError(ValueError):
    """A responses file that cannot be scored, naming the row and column at fault."""


@dataclass(frozen=True)
class OfflineResponses:
    """A responses CSV read into the arrays :func:`surveyapp.scoring.release` takes."""

    codes: NDArray[np.int16]
    employers: NDArray[np.intp]
    employer_labels: tuple[str, ...]
    item_ids: tuple[str, ...]
    wave: str | None
    #: Survey language of each response, when the file has a ``language`` column.
    languages: NDArray[np.str_] | None = None
    #: Segment (peer group) of each response's employer, when the file has one.
    segments: NDArray[np.str_] | None = None


def language_grouping(
    languages: Sequence[str] | NDArray[np.str_] | None,
) -> dict[str, tuple[NDArray[np.intp], tuple[str, ...]]] | None:
    """The ``groupings`` entry that makes survey language an equity subgroup.

    The app and :func:`score_csv` both build it here, so both run the same test.
    """
    if languages is None:
        return None
    labels, index = np.unique(np.asarray(languages, dtype=str), return_inverse=True)
    return {"language": (index.astype(np.intp), tuple(str(x) for x in labels))}


def safe_cell(text: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula."""
    text = text.replace("\0", "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# ---------------------------------------------------------------------------- writing
def _quote(values: NDArray[np.str_]) -> NDArray[np.str_]:
    """CSV-quote the strings that need it, vectorised (RFC 4180)."""
    needs = (
        (np.char.find(values, ",") >= 0)
        | (np.char.find(values, '"') >= 0)
        | (np.char.find(values, "\n") >= 0)
        | (np.char.find(values, "\r") >= 0)
    )
    quoted = np.char.add(np.char.add('"', np.char.replace(values, '"', '""')), '"')
    return np.where(needs, quoted, values)


def _safe_quoted(values: NDArray[np.str_]) -> NDArray[np.str_]:
    """:func:`safe_cell` then :func:`_quote`, once per distinct value."""
    distinct, index = np.unique(values, return_inverse=True)
    cells = np.array([safe_cell(str(value)) for value in distinct], dtype=str)
    return _quote(cells)[index]


def write_responses_csv(
    out: TextIO,
    instrument: Instrument,
    codes: ArrayLike,
    employer_labels: Sequence[str] | ArrayLike,
    *,
    wave: str | None = None,
    item_ids: Sequence[str] | None = None,
    languages: Sequence[str] | ArrayLike | None = None,
    segments: Sequence[str] | ArrayLike | None = None,
) -> None:
    """Write responses as the documented CSV (the ``surveyapp export`` format).

    ``employer_labels`` holds one label per response; ``languages`` (optional) the
    survey language of each; ``segments`` (optional) the segment of each response's
    employer. Built column by column with numpy string operations (no loop over
    responses). Labels that a spreadsheet would read as a formula get a leading
    apostrophe (:func:`safe_cell`).
    """
    ids = choice_item_ids(instrument) if item_ids is None else tuple(item_ids)
    array = np.asarray(codes)
    if array.ndim != 2 or array.shape[1] != len(ids):
        raise ValueError("codes must have one column per item id")
    labels = np.asarray(employer_labels, dtype=str)
    if labels.shape != (array.shape[0],):
        raise ValueError("employer_labels needs one label per response")
    language_cells = None if languages is None else np.asarray(languages, dtype=str)
    if language_cells is not None and language_cells.shape != (array.shape[0],):
        raise ValueError("languages needs one language per response")
    segment_cells = None if segments is None else np.asarray(segments, dtype=str)
    if segment_cells is not None and segment_cells.shape != (array.shape[0],):
        raise ValueError("segments needs one segment per response")
    header = (
        [EMPLOYER_COLUMN]
        + ([WAVE_COLUMN] if wave is not None else [])
        + ([LANGUAGE_COLUMN] if language_cells is not None else [])
        + ([SEGMENT_COLUMN] if segment_cells is not None else [])
        + list(ids)
    )
    out.write(",".join(header) + "\r\n")
    if array.shape[0] == 0:
        return
    lines = _safe_quoted(labels)
    if wave is not None:
        lines = np.char.add(np.char.add(lines, ","), _quote(np.array([safe_cell(wave)]))[0])
    if language_cells is not None:
        lines = np.char.add(np.char.add(lines, ","), _safe_quoted(language_cells))
    if segment_cells is not None:
        lines = np.char.add(np.char.add(lines, ","), _safe_quoted(segment_cells))
    for column in range(array.shape[1]):  # a loop over columns, vectorised over rows
        values = array[:, column]
        cell = np.where(values == 0, "", values.astype(str))
        lines = np.char.add(np.char.add(lines, ","), cell)
    out.write("\r\n".join(lines.tolist()) + "\r\n")


def write_codebook(
    out: TextIO,
    instrument: Instrument,
    *,
    item_ids: Sequence[str] | None = None,
    living_wage: float | None = None,
    language: str | None = None,
    segment: str | None = None,
) -> None:
    """Write a codebook CSV: one row per column, then one per code of each item.

    Columns: ``column, role, dimension, direction, scoring, code, label, score,
    missing, question``. ``score`` is the 0-100 score the code gets (after reverse
    coding, and for wage items under ``living_wage``); empty for missing codes.
    ``segment`` names what the ``segment`` column holds, when the export has one.
    """
    lang = language or instrument.languages[0]
    ids = choice_item_ids(instrument) if item_ids is None else tuple(item_ids)
    csv_writer = csv.writer(out, lineterminator="\r\n")

    def writerow(row: Sequence[object]) -> None:
        csv_writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])

    writerow(
        [
            "column",
            "role",
            "dimension",
            "direction",
            "scoring",
            "code",
            "label",
            "score",
            "missing",
            "question",
        ]
    )
    # The non-item columns: name, role and a description, the code fields left empty.
    for column, role, description in (
        (EMPLOYER_COLUMN, "employer", "Employer label: responses are grouped by it"),
        (WAVE_COLUMN, "wave", "Survey round (one per file; optional)"),
        (
            LANGUAGE_COLUMN,
            "subgroup",
            "Language the survey was taken in (optional; an equity subgroup)",
        ),
    ):
        writerow([column, role, "", "", "", "", "", "", "", description])
    if segment is not None:
        writerow(
            [
                SEGMENT_COLUMN,
                "segment",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                f"Employer's {segment} ('unknown' when not recorded): `surveyapp score`"
                " compares each employer only with peers of the same segment",
            ]
        )
    for item_id in ids:
        item = instrument.item(item_id)
        scoring = item.scoring
        if scoring == "living_wage_ratio":
            scoring = f"living_wage_ratio (living wage {living_wage})"
        base = [item.id, item.role, item.dimension or "", item.direction, scoring]
        writerow([*base, "", "(blank)", "", "yes", item.text[lang]])
        table = (
            code_table(item, living_wage)
            if item.scoring != "living_wage_ratio" or living_wage
            else np.full(100, np.nan)
        )
        for option in item.options:
            score = table[option.code]
            writerow(
                [
                    *base,
                    option.code,
                    option.label[lang],
                    "" if np.isnan(score) else f"{score:g}",
                    "yes" if option.missing else "no",
                    "",
                ]
            )


# ---------------------------------------------------------------------------- reading
def read_responses_csv(
    source: str | Path | TextIO,
    instrument: Instrument,
    *,
    name: str | None = None,
    segment_column: str | None = None,
) -> OfflineResponses:
    """Read and check a responses CSV.

    ``segment_column`` names a column (besides ``segment``) that may hold each
    employer's segment; when the file has it, it is the segment, else ``segment`` is.

    Raises
    ------
    CSVError
        For an empty file, a missing ``employer`` column, an unknown or duplicated
        column, a row with the wrong number of fields, an empty employer, a non-numeric
        value, a code that is not an option of its item, two waves in one file, or an
        empty segment or an employer in two segments; the message names the row (the
        header is row 1) and the column.
    """
    if isinstance(source, str | Path):
        label = name or str(source)
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CSVError(f"{label}: cannot be read ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise CSVError(f"{label}: is not UTF-8 text ({exc.reason})") from exc
    else:
        label = name or str(getattr(source, "name", "responses.csv"))
        text = source.read()
        text = text.removeprefix("\ufeff")

    def fail(row: int | None, column: str | None, message: str) -> CSVError:
        where = [label]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        return CSVError(": ".join([", ".join(where), message]))

    if not text.strip():
        raise fail(
            None,
            None,
            "the file is empty; expected a header row with"
            f" {EMPLOYER_COLUMN!r} and one column per item",
        )
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise fail(None, None, f"is not valid CSV ({exc})") from exc
    header = [cell.strip() for cell in rows[0]]
    body = [row for row in rows[1:] if row]  # a trailing blank line is not a response
    choice = set(choice_item_ids(instrument))
    if segment_column in (*RESERVED_COLUMNS, *instrument.item_ids):
        raise fail(None, segment_column, "cannot be the segment: it is not one per employer")
    extra = {SEGMENT_COLUMN, segment_column or SEGMENT_COLUMN}
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise fail(1, column, "appears twice in the header")
        seen.add(column)
        if column in RESERVED_COLUMNS or column in extra or column in choice:
            continue
        if column in instrument.item_ids:
            raise fail(
                1, column, "is a free-text item; free text is never part of a responses file"
            )
        raise fail(
            1,
            column,
            f"is not an item of {instrument.key}-v{instrument.version}"
            f" (nor {EMPLOYER_COLUMN!r}, {WAVE_COLUMN!r} or {LANGUAGE_COLUMN!r})",
        )
    if EMPLOYER_COLUMN not in header:
        raise fail(1, EMPLOYER_COLUMN, "is missing: every response needs its employer")
    item_ids = tuple(c for c in header if c in choice)
    missing_scored = [i.id for i in instrument.scored_items if i.id not in seen]
    if missing_scored:
        raise fail(1, missing_scored[0], "is missing: every scored item needs a column")
    if not body:
        raise fail(None, None, "has a header but no responses")
    lengths = np.fromiter(map(len, body), dtype=np.intp, count=len(body))
    wrong = np.flatnonzero(lengths != len(header))
    if wrong.size:
        row = int(wrong[0])
        raise fail(row + 2, None, f"has {lengths[row]} fields but the header has {len(header)}")
    cells = np.char.strip(np.array(body, dtype=str).reshape(len(body), len(header)))

    employers = cells[:, header.index(EMPLOYER_COLUMN)]
    empty = np.flatnonzero(employers == "")
    if empty.size:
        raise fail(int(empty[0]) + 2, EMPLOYER_COLUMN, "is empty")
    wave = None
    if WAVE_COLUMN in header:
        waves = cells[:, header.index(WAVE_COLUMN)]
        other = np.flatnonzero(waves != waves[0])
        if other.size:
            raise fail(
                int(other[0]) + 2,
                WAVE_COLUMN,
                f"is {str(waves[other[0]])!r} but row 2 says {str(waves[0])!r}: score one wave"
                " per file",
            )
        wave = str(waves[0])
    languages = None
    if LANGUAGE_COLUMN in header:
        languages = cells[:, header.index(LANGUAGE_COLUMN)]
        blank = np.flatnonzero(languages == "")
        if blank.size:
            raise fail(int(blank[0]) + 2, LANGUAGE_COLUMN, "is empty")
    found = [c for c in (segment_column, SEGMENT_COLUMN) if c is not None and c in header]
    segments = (
        _segments(cells[:, header.index(found[0])], employers, found[0], fail) if found else None
    )

    codes = np.zeros((len(body), len(item_ids)), dtype=np.int16)
    for j, item_id in enumerate(item_ids):  # a loop over columns, vectorised over rows
        column = cells[:, header.index(item_id)]
        blank = column == ""
        numeric = np.char.isdigit(column) & (np.char.str_len(column) <= 4)
        bad = np.flatnonzero(~blank & ~numeric)
        if bad.size:
            row = int(bad[0])
            value = str(column[row])
            problem = "is not a code" if value.isdigit() else "is not a whole number"
            raise fail(row + 2, item_id, f"{value!r} {problem}")
        values = np.where(blank, "0", column).astype(np.int64)
        valid = valid_code_table(instrument.item(item_id))
        invalid = np.flatnonzero((values > 99) | ~valid[np.minimum(values, 99)])
        if invalid.size:
            row = int(invalid[0])
            allowed = ", ".join(str(o.code) for o in instrument.item(item_id).options)
            raise fail(
                row + 2,
                item_id,
                f"{int(values[row])} is not a code of this item"
                f" (allowed: {allowed}; leave the cell empty for no answer)",
            )
        codes[:, j] = values
    labels, index = np.unique(employers, return_inverse=True)
    return OfflineResponses(
        codes,
        index.astype(np.intp),
        tuple(str(x) for x in labels),
        item_ids,
        wave,
        languages,
        segments,
    )


def _segments(
    column: NDArray[np.str_],
    employers: NDArray[np.str_],
    name: str,
    fail: Callable[[int | None, str | None, str], CSVError],
) -> NDArray[np.str_]:
    """The segment column, checked: never empty, one segment per employer.

    An employer in two segments would be its own peer in both, and a blank would
    silently drop an employer's responses from every peer group.
    """
    blank = np.flatnonzero(column == "")
    if blank.size:
        raise fail(int(blank[0]) + 2, name, "is empty: every employer needs a segment")
    _labels, first, index = np.unique(employers, return_index=True, return_inverse=True)
    expected = column[first][index]
    other = np.flatnonzero(column != expected)
    if other.size:
        row = int(other[0])
        raise fail(
            row + 2,
            name,
            f"is {str(column[row])!r} but row {int(first[index[row]]) + 2} puts"
            f" {str(employers[row])!r} in {str(expected[row])!r}: an employer belongs to"
            " one segment",
        )
    return column


# ---------------------------------------------------------------------------- scoring
def release_to_dict(
    result: Release, employer_labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """JSON-ready data of a release; employers carry their label when given."""
    data = dataclasses.asdict(result)
    if employer_labels is not None:
        if len(employer_labels) != len(data["employers"]):
            raise ValueError("employer_labels needs one label per employer")
        for entry, name in zip(data["employers"], employer_labels, strict=True):
            entry["employer"] = name
    return data


def score_csv(
    source: str | Path | TextIO,
    instrument: Instrument,
    *,
    k: int,
    living_wage: float | None,
    seed: int = 0,
    n_resamples: int = 9999,
    claims: ArrayLike | None = None,
    previous: str | Path | TextIO | None = None,
    previous_instrument: Instrument | None = None,
    previous_k: int | None = None,
) -> dict[str, Any]:
    """Read a responses CSV, run :func:`surveyapp.scoring.release`, return JSON-ready data.

    ``claims`` (optional) has one row per employer in the order of the sorted employer
    labels (``OfflineResponses.employer_labels``). ``previous`` (optional) is the
    previous wave's export, for trend; employers are matched by label, and it is read
    with ``previous_instrument`` (default ``instrument``) and scored with the same living
    wage, as the app does. A ``segment`` column is read and checked but not used here
    (:func:`surveyapp.results.segments.score_segments` uses it).
    """
    before_instrument = previous_instrument or instrument
    return score_responses(
        read_responses_csv(source, instrument),
        instrument,
        k=k,
        living_wage=living_wage,
        seed=seed,
        n_resamples=n_resamples,
        claims=claims,
        previous=None if previous is None else read_responses_csv(previous, before_instrument),
        previous_instrument=before_instrument,
        previous_k=previous_k,
    )


def score_responses(
    responses: OfflineResponses,
    instrument: Instrument,
    *,
    k: int,
    living_wage: float | None,
    seed: int = 0,
    n_resamples: int = 9999,
    claims: ArrayLike | None = None,
    previous: OfflineResponses | None = None,
    previous_instrument: Instrument | None = None,
    previous_k: int | None = None,
) -> dict[str, Any]:
    """:func:`score_csv` on responses already read (``previous`` too)."""
    earlier = None
    if previous is not None:
        position = {label: i for i, label in enumerate(responses.employer_labels)}
        earlier = PreviousWave(
            instrument=previous_instrument or instrument,
            codes=previous.codes,
            employers=previous.employers,
            same_employer=np.array(
                [position.get(label, -1) for label in previous.employer_labels], dtype=np.intp
            ),
            living_wage=living_wage,
            item_ids=previous.item_ids,
            k=previous_k,
        )
    result = release(
        instrument,
        responses.codes,
        responses.employers,
        k=k,
        living_wage=living_wage,
        item_ids=responses.item_ids,
        n_employers=len(responses.employer_labels),
        claims=claims,
        groupings=language_grouping(responses.languages),
        seed=seed,
        n_resamples=n_resamples,
        previous=earlier,
    )
    data = release_to_dict(result, responses.employer_labels)
    data["wave"] = responses.wave
    return data


def write_scores_json(data: dict[str, Any], out: IO[str]) -> None:
    """Write scores as JSON; floats keep every digit (``repr``), NaN is refused."""
    json.dump(data, out, indent=2, ensure_ascii=False, allow_nan=False)
    out.write("\n")
