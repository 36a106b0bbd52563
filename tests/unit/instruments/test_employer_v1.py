"""The published employer instrument: complete in both languages, and its claims point
at worker-v2 items that are scored and that list it as their mirror."""

from __future__ import annotations

import re

import pytest

from surveyapp.instruments import get_instrument, instrument_path
from surveyapp.instruments.model import Text
from surveyapp.paths import instruments_dir

EMPLOYER = get_instrument("employer", 1)
WORKER = get_instrument("worker", 2)

#: Worker-v2 items whose `mirror` lists E15 (MEASUREMENT.md 3.2), in file order.
PREDICTED = ("PAY2", "PAY4", "BEN5", "SCH5", "SAF1", "VOI1", "VOI2", "VOI4", "RES1", "RES2", "SEC5")

#: Every claim the file makes: employer item -> worker item.
CLAIMS = {
    "E1": "PAY1",
    "E3a_ft": "BEN1",
    "E3b_ft": "BEN2",
    "E3c_ft": "BEN3",
    "E3d_ft": "BEN4",
    "E4": "SCH1",
    "E7": "SKL1",
    "E9_together": "VOI3",
    **{f"E15_{item_id}": item_id for item_id in PREDICTED},
}


def test_loads_by_key_and_version_and_names_its_worker_instrument():
    assert (EMPLOYER.key, EMPLOYER.version) == ("employer", 1)
    assert EMPLOYER.mirrors_instrument == "worker-v2"
    assert EMPLOYER.dimensions == ()
    assert EMPLOYER.scored_items == ()


def test_the_questions_of_measurement_3_2_are_asked():
    asked = {item.id.split("_")[0] for item in EMPLOYER.items}
    assert asked == {
        "E1",
        "E2",
        "E3a",
        "E3b",
        "E3c",
        "E3d",
        "E4",
        "E7",
        "E8",
        "E9",
        "E13",
        "E14",
        "E15",
    }


def test_claims_are_exactly_the_planned_ones():
    assert {i.id: i.mirrors for i in EMPLOYER.items if i.mirrors} == CLAIMS


@pytest.mark.parametrize("employer_id", sorted(CLAIMS))
def test_every_mirrored_worker_item_exists_is_scored_and_lists_the_employer_item(employer_id):
    target = WORKER.item(CLAIMS[employer_id])
    assert target.is_scored
    assert employer_id.split("_")[0] in target.mirror
    for rule in EMPLOYER.item(employer_id).claims:
        option = target.option(rule.code)
        assert option is not None
        assert not option.missing


def test_a_prediction_for_every_worker_item_mirrored_by_e15():
    assert tuple(i.id for i in WORKER.items if "E15" in i.mirror) == PREDICTED
    assert tuple(i.id for i in EMPLOYER.items if i.id.startswith("E15_")) == tuple(
        f"E15_{item_id}" for item_id in PREDICTED
    )


@pytest.mark.parametrize("item_id", PREDICTED)
def test_a_prediction_offers_the_worker_items_own_answers_and_quotes_it(item_id):
    prediction, target = EMPLOYER.item(f"E15_{item_id}"), WORKER.item(item_id)
    answers = [(o.code, dict(o.label)) for o in prediction.options if not o.missing]
    assert answers == [(o.code, dict(o.label)) for o in target.options if not o.missing]
    assert [(r.answer, r.code) for r in prediction.claims] == [(c, c) for c, _ in answers]
    for language in ("en", "es"):
        assert f'"{target.text[language]}"' in prediction.text[language]


def test_every_question_has_an_honest_way_out_except_the_headcount():
    # E13 is the response-rate denominator: an employer always knows it.
    for item in EMPLOYER.items:
        ways_out = {o.code for o in item.options if o.missing}
        assert ways_out or item.id == "E13", item.id
        assert ways_out <= {98, 99}


def test_number_items_have_a_unit_and_a_range():
    numbers = {i.id: i.unit for i in EMPLOYER.items if i.kind == "number"}
    assert numbers == {
        "E13": "count",
        "E14": "count",
        "E1": "dollars_per_hour",
        "E2": "dollars_per_hour",
        "E3a_wait": "days",
        "E3b_wait": "days",
        "E3c_wait": "days",
        "E3d_wait": "days",
        "E4": "days",
        "E7": "hours",
    }
    for item_id in numbers:
        item = EMPLOYER.item(item_id)
        assert item.min_value is not None
        assert item.max_value is not None
        assert item.min_value < item.max_value


def _texts() -> list[tuple[str, Text]]:
    texts: list[tuple[str, Text]] = [("title", EMPLOYER.title), ("intro", EMPLOYER.intro)]
    for item in EMPLOYER.items:
        texts.append((item.id, item.text))
        if item.hint:
            texts.append((f"{item.id} hint", item.hint))
        texts.extend((f"{item.id} option {o.code}", o.label) for o in item.options)
    for page in EMPLOYER.pages:
        texts.append((f"page {page.id}", page.title))
        if page.intro:
            texts.append((f"page {page.id} intro", page.intro))
    return texts


def test_every_english_text_has_a_spanish_text():
    assert EMPLOYER.languages == ("en", "es")
    for where, text in _texts():
        assert text["en"].strip(), where
        assert text["es"].strip(), where


def test_spanish_is_not_a_copy_of_english():
    # "No" is the same word in both languages; nothing longer should be.
    same = [where for where, text in _texts() if text["en"] == text["es"] and len(text["en"]) > 2]
    assert same == []


def test_sentences_are_short():
    # A rough 6th-grade check: no sentence over 25 words in either language.
    for where, text in _texts():
        for language in ("en", "es"):
            for sentence in re.split(r"(?<=[.?!])\s+", text[language]):
                assert len(sentence.split()) <= 25, (where, language, sentence)


def test_one_question_group_a_page():
    groups = [{item_id.split("_")[0] for item_id in page.items} for page in EMPLOYER.pages]
    assert groups == [
        {"E13", "E14"},  # who the survey is about comes first
        {"E1", "E2"},
        {"E3a"},
        {"E3b"},
        {"E3c"},
        {"E3d"},
        {"E4"},
        {"E7", "E8"},
        {"E9"},
        {"E15"},
    ]


def test_readme_table_lists_every_claim():
    readme = (instruments_dir() / "README.md").read_text("utf-8")
    for employer_id, worker_id in CLAIMS.items():
        if employer_id.startswith("E15_"):
            continue  # one row covers every prediction
        assert re.search(rf"^\| `{employer_id}` \| `{worker_id}` \|", readme, re.M), employer_id
    assert "| `E15_<item>` | `<item>` |" in readme


def test_the_file_is_where_get_instrument_looks():
    assert EMPLOYER.source == str(instrument_path("employer", 1))
