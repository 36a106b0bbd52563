"""Offline scoring from a CSV export: the same numbers as the app, clear errors."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from surveyapp.results.offline import (
    CSVError,
    read_responses_csv,
    release_to_dict,
    score_csv,
    write_codebook,
    write_responses_csv,
    write_scores_json,
)
from surveyapp.scoring import release

from .conftest import make_wave

LABELS = np.array(["Zeta Care", 'Acme, "North"', "Mill 3", "Bay\nHealth", "Oak"])


@pytest.fixture(scope="module")
def exported(worker):
    codes, employers = make_wave(worker, 5, 0, seed=12, sizes=[30, 25, 8, 22, 4])
    out = io.StringIO()
    write_responses_csv(out, worker, codes, LABELS[employers], wave="Spring 2027")
    return codes, employers, out.getvalue()


def test_round_trip(worker, item_ids, exported):
    codes, employers, text = exported
    read = read_responses_csv(io.StringIO(text), worker)
    assert read.item_ids == item_ids
    assert read.wave == "Spring 2027"
    np.testing.assert_array_equal(read.codes, codes)
    np.testing.assert_array_equal(np.array(read.employer_labels)[read.employers], LABELS[employers])


def test_app_and_offline_numbers_agree_to_the_last_digit(worker, exported):
    """The app scores arrays (its own employer numbering, its own row order); the offline
    path reads the CSV. Their JSON is identical, digit for digit."""
    codes, employers, text = exported
    offline = score_csv(io.StringIO(text), worker, k=5, living_wage=18.0, n_resamples=299)
    app = release(
        worker, codes[::-1], employers[::-1], k=5, living_wage=18.0, n_resamples=299, n_employers=5
    )
    app_data = release_to_dict(app, list(LABELS))
    offline.pop("wave")

    def by_label(data):
        data = dict(data)
        data["employers"] = sorted(data["employers"], key=lambda e: e["employer"])
        return json.dumps(data, sort_keys=True)

    assert by_label(offline) == by_label(app_data)
    out = io.StringIO()
    write_scores_json(offline, out)
    assert (
        json.loads(out.getvalue())["employers"][0]["employer"]
        == offline["employers"][0]["employer"]
    )


def test_codebook_lists_every_column_and_code(worker, item_ids):
    out = io.StringIO()
    write_codebook(out, worker, living_wage=18.0)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    columns = {r["column"] for r in rows}
    assert {"employer", "wave", "language", *item_ids} == columns
    pay3 = {r["code"]: r for r in rows if r["column"] == "PAY3"}
    assert pay3["1"]["score"] == "100"
    assert pay3["1"]["direction"] == "reverse"
    assert pay3["99"]["missing"] == "yes"
    assert pay3["99"]["score"] == ""
    pay1 = {r["code"]: r["score"] for r in rows if r["column"] == "PAY1"}
    assert pay1["6"] == "75"  # 25.5 / 18 = 1.42: the 1.2 to 1.5 band
    assert pay1["8"] == "100"  # 32.5 / 18 = 1.81: the open top band


def header(worker, item_ids):
    return "employer," + ",".join(item_ids)


def row(item_ids, employer="A", **answers):
    values = dict.fromkeys(item_ids, "") | {k: str(v) for k, v in answers.items()}
    return employer + "," + ",".join(values[i] for i in item_ids)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda h, r: "", r"responses.csv: the file is empty"),
        (lambda h, r: "\n\n", r"the file is empty"),
        (lambda h, r: h + ",PAY9\n" + r() + ",1", r"row 1, column 'PAY9': is not an item"),
        (
            lambda h, r: h.replace("employer,", "") + "\n" + r().split(",", 1)[1],
            r"row 1, column 'employer': is missing",
        ),
        (
            lambda h, r: h + "\n" + r() + "\n" + r(PAY2=6),
            r"row 3, column 'PAY2': 6 is not a code of this item \(allowed: 1, 2, 3, 4, 5, 99",
        ),
        (
            lambda h, r: h + "\n" + r(SCH1="abc"),
            r"row 2, column 'SCH1': 'abc' is not a whole number",
        ),
        (lambda h, r: h + "\n" + r(SCH1="2.5"), r"row 2, column 'SCH1': '2.5' is not a whole"),
        (lambda h, r: h + "\n" + r(SCH1="-1"), r"row 2, column 'SCH1': '-1' is not a whole"),
        (lambda h, r: h + "\n" + r(BEN2=123456), r"row 2, column 'BEN2': '123456' is not a code"),
        (lambda h, r: h + "\n" + r(employer=" "), r"row 2, column 'employer': is empty"),
        (lambda h, r: h + "\n" + r() + ",7", r"row 2: has 44 fields but the header has 43"),
        (lambda h, r: h + ",PAY2\n" + r() + ",1", r"row 1, column 'PAY2': appears twice"),
        (lambda h, r: h + ",CHANGE\n" + r() + ",x", r"column 'CHANGE': is a free-text item"),
        (
            lambda h, r: h.replace(",SAF3", "") + "\n" + r().replace(",,", ",", 1),
            r"column 'SAF3': is missing",
        ),
        (lambda h, r: h + "\n", r"has a header but no responses"),
    ],
)
def test_bad_csv_gives_one_clear_error(worker, item_ids, make, message):
    text = make(header(worker, item_ids), lambda **a: row(item_ids, **a))
    with pytest.raises(CSVError, match=message):
        read_responses_csv(io.StringIO(text), worker, name="responses.csv")


def test_two_waves_in_one_file(worker, item_ids):
    text = "employer,wave," + ",".join(item_ids) + "\n"
    text += "A,Spring," + ",".join([""] * len(item_ids)) + "\n"
    text += "A,Fall," + ",".join([""] * len(item_ids)) + "\n"
    with pytest.raises(CSVError, match=r"row 3, column 'wave': is 'Fall' but row 2 says"):
        read_responses_csv(io.StringIO(text), worker)


def test_reads_a_file_path_with_bom(worker, item_ids, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "\ufeff" + header(worker, item_ids) + "\n" + row(item_ids, PAY2=4) + "\n", encoding="utf-8"
    )
    read = read_responses_csv(path, worker)
    assert read.codes[0, item_ids.index("PAY2")] == 4
    with pytest.raises(CSVError, match="cannot be read"):
        read_responses_csv(tmp_path / "missing.csv", worker)


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tTAB"])
def test_labels_that_look_like_formulas_are_written_as_text(worker, item_ids, hostile):
    """OWASP CSV injection: a spreadsheet must not run an employer or wave name."""
    codes = np.zeros((2, len(item_ids)), dtype=np.int16)
    out = io.StringIO()
    write_responses_csv(
        out, worker, codes, [hostile, "Plain, Inc."], wave=hostile, languages=["en", "es"]
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:3] == ["employer", "wave", "language"]
    assert rows[1][0] == "'" + hostile
    assert rows[1][1] == "'" + hostile
    assert rows[2][0] == "Plain, Inc."
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t"))


def test_language_column_round_trips_and_becomes_an_equity_grouping(worker, item_ids):
    from surveyapp.results.offline import language_grouping, read_responses_csv

    codes = np.ones((3, len(item_ids)), dtype=np.int16)
    for column, item_id in enumerate(item_ids):
        codes[:, column] = next(o.code for o in worker.item(item_id).options if not o.missing)
    out = io.StringIO()
    write_responses_csv(out, worker, codes, ["A", "B", "A"], languages=["es", "en", "es"])
    back = read_responses_csv(io.StringIO(out.getvalue()), worker)
    assert back.languages.tolist() == ["es", "en", "es"]
    index, labels = language_grouping(back.languages)["language"]
    assert labels == ("en", "es")
    assert index.tolist() == [1, 0, 1]
    assert language_grouping(None) is None


def test_empty_language_cell_is_named(worker, item_ids):
    from surveyapp.results.offline import read_responses_csv

    text = (
        "employer,language," + ",".join(item_ids) + "\r\nA,," + "," * (len(item_ids) - 1) + "\r\n"
    )
    with pytest.raises(CSVError, match="row 2, column 'language': is empty"):
        read_responses_csv(io.StringIO(text), worker, name="r.csv")
