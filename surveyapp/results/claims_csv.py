"""The claims CSV: what each employer said in its employer survey, for the gap tests.

``surveyapp export --claims F`` writes it and ``surveyapp score --claims F`` reads it.
The format, one row per employer:

* ``employer``: the employer's label, exactly as in the responses CSV (a label that a
  spreadsheet would read as a formula has the same leading apostrophe in both files);
* one column per mirrored worker item (:func:`surveyapp.scoring.gap_item_ids` of the
  worker instrument, e.g. ``PAY1``, ``SCH1``), holding the employer's claim on that
  item's 0-100 scale: the score a worker's answer would get if it said what the
  employer said. An empty cell is no claim.

The export writes every employer of the responses CSV, in its order, and every
mirrored item, with each number to its last digit (so scoring the two files gives the
stored release exactly). A hand-made file may leave employers or item columns out:
they claim nothing. A file in which nobody claims anything is the same as no file,
as a wave without employer surveys is scored at close.

Pure Python and numpy, like :mod:`.offline`: errors are :class:`~.offline.CSVError`
naming the file, row and column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from .offline import EMPLOYER_COLUMN, CSVError, safe_cell

__all__ = ["read_claims_csv", "write_claims_csv"]

#: A plain decimal number (no "nan", "inf", thousands separators or hex).
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: ``fail(row, column, message)``: the error naming the file, row and column.
_Fail = Callable[[int | None, str | None, str], CSVError]


def _cell(value: float) -> str:
    """A claim to its last digit: "75" for whole numbers, else the shortest exact repr."""
    if math.isnan(value):
        return ""
    return str(int(value)) if value.is_integer() else repr(float(value))


def write_claims_csv(
    out: TextIO,
    employer_labels: Sequence[str],
    item_ids: Sequence[str],
    claims: NDArray[np.float64] | None,
) -> None:
    """Write one row per employer label, one column per item; ``claims`` None: all empty."""
    if claims is not None and np.shape(claims) != (len(employer_labels), len(item_ids)):
        raise ValueError("claims needs one row per employer and one column per item")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([EMPLOYER_COLUMN, *item_ids])
    for row, label in enumerate(employer_labels):
        values = [math.nan] * len(item_ids) if claims is None else claims[row].tolist()
        writer.writerow([safe_cell(label), *(_cell(v) for v in values)])


def _text(source: str | Path | TextIO, name: str | None) -> tuple[str, str]:
    if isinstance(source, str | Path):
        label = name or str(source)
        try:
            return label, Path(source).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CSVError(f"{label}: cannot be read ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise CSVError(f"{label}: is not UTF-8 text ({exc.reason})") from exc
    return name or str(getattr(source, "name", "claims.csv")), source.read().removeprefix("\ufeff")


def read_claims_csv(
    source: str | Path | TextIO,
    employer_labels: Sequence[str],
    item_ids: Sequence[str],
    *,
    name: str | None = None,
) -> NDArray[np.float64] | None:
    """Claims, one row per label of ``employer_labels`` (their order), one column per
    item of ``item_ids``; NaN for no claim; None when nobody claims anything.

    Raises
    ------
    CSVError
        For an empty file, a missing ``employer`` column, a column that is not a
        mirrored item, a repeated column or employer, an employer that is not in the
        responses file, a row with the wrong number of fields, or a value that is not
        a number from 0 to 100; the message names the row (the header is row 1) and
        the column.
    """
    label, text = _text(source, name)

    def fail(row: int | None, column: str | None, message: str) -> CSVError:
        where = [label]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        return CSVError(": ".join([", ".join(where), message]))

    if not text.strip():
        raise fail(None, None, f"the file is empty; expected {EMPLOYER_COLUMN!r} and item columns")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise fail(None, None, f"is not valid CSV ({exc})") from exc
    header = [cell.strip() for cell in rows[0]]
    columns = _columns(header, item_ids, fail)
    position = {employer: n for n, employer in enumerate(employer_labels)}
    claims = np.full((len(employer_labels), len(item_ids)), np.nan)
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue  # a blank line claims nothing
        if len(row) != len(header):
            raise fail(number, None, f"has {len(row)} fields but the header has {len(header)}")
        cells = [cell.strip() for cell in row]
        employer = cells[header.index(EMPLOYER_COLUMN)]
        if employer not in position:
            raise fail(
                number, EMPLOYER_COLUMN, f"{employer!r} is not an employer of the responses file"
            )
        if employer in seen:
            raise fail(number, EMPLOYER_COLUMN, f"{employer!r} is also on row {seen[employer]}")
        seen[employer] = number
        for column, target in columns.items():
            claims[position[employer], target] = _claim(cells[column], number, header, column, fail)
    return None if np.isnan(claims).all() else claims


def _columns(header: list[str], item_ids: Sequence[str], fail: _Fail) -> dict[int, int]:
    """Header position of each item column -> its column in the claims array."""
    if EMPLOYER_COLUMN not in header:
        raise fail(1, EMPLOYER_COLUMN, "is missing: every row needs its employer")
    found: dict[int, int] = {}
    for n, column in enumerate(header):
        if header.index(column) != n:
            raise fail(1, column, "appears twice in the header")
        if column == EMPLOYER_COLUMN:
            continue
        if column not in item_ids:
            raise fail(
                1, column, f"is not a mirrored item (the columns are: {', '.join(item_ids)})"
            )
        found[n] = list(item_ids).index(column)
    return found


def _claim(cell: str, row: int, header: list[str], column: int, fail: _Fail) -> float:
    if cell == "":
        return math.nan
    if not _NUMBER.fullmatch(cell):
        raise fail(row, header[column], f"{cell!r} is not a number")
    value = float(cell)
    if not 0 <= value <= 100:
        raise fail(row, header[column], f"{cell} is outside 0-100")
    return value
