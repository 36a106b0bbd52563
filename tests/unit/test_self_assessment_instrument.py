"""partnership-v1.toml (MEASUREMENT.md 3.3) and the loader's self-assessment checks.

A broken copy of the file is refused in one line naming the file, the item (or
dimension) and the field; the worker and employer files load exactly as before.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from surveyapp.instruments import InstrumentError, get_instrument, instrument_path, load_instrument

PARTNERSHIP_FILE = instrument_path("partnership", 1)
SA = get_instrument("partnership", 1)

#: The published files' checksums: responses record them, so they must never move.
PUBLISHED = {
    ("worker", 1): "4ff919774d56e6e76bf9acb2d1770495187a3ca32e861df52b29d8da5169e7fd",
    ("worker", 2): "0e72cc6931290d9393718437cb35c074661073ec861274108dd2964edd29d751",
    ("employer", 1): "d9c1c16cd0ad2501afb2d4dd06ebb65feb702339b8093085132377c1d1f15df5",
}

ELEMENTS = ["leadership", "resources", "industry", "services", "improvement"]
CENTRE = ["partnerships", "data", "worker_voice"]


def _broken(tmp_path: Path, old: str, new: str, source: Path = PARTNERSHIP_FILE) -> Path:
    text = source.read_text("utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("key", "version"), sorted(PUBLISHED))
def test_published_instruments_keep_their_checksums(key, version):
    instrument = get_instrument(key, version)
    assert instrument.checksum == PUBLISHED[key, version]
    assert not instrument.is_self_assessment
    assert all(d.group is None for d in instrument.dimensions)


def test_the_file_has_the_five_elements_then_the_three_centre_themes():
    assert SA.is_self_assessment
    assert SA.evidence_max_length == 500
    assert SA.languages == ("en", "es")
    assert [d.id for d in SA.dimensions if d.group == "element"] == ELEMENTS
    assert [d.id for d in SA.dimensions if d.group == "centre"] == CENTRE
    assert SA.dimension("leadership").name["en"] == "Leadership, vision and alignment"
    assert SA.checksum == hashlib.sha256(PARTNERSHIP_FILE.read_bytes()).hexdigest()


def test_every_element_has_a_few_statements_on_its_own_page():
    assert [page.id for page in SA.pages] == ELEMENTS + CENTRE
    for page in SA.pages:
        assert len(page.items) >= 2, page.id
        assert {SA.item(i).dimension for i in page.items} == {page.id}
        assert page.title == SA.dimension(page.id).name


def test_every_statement_is_a_required_rubric_rating_with_a_way_out():
    for item in SA.items:
        assert item.role == "scored"
        assert item.scoring == "rubric"
        assert item.required
        scores = {o.code: o.score for o in item.options}
        assert scores == {
            1: 0.0,
            2: pytest.approx(100 / 3),
            3: pytest.approx(200 / 3),
            4: 100.0,
            98: None,
        }
        assert [o.label["en"] for o in item.options] == [
            "Not yet",
            "Starting",
            "Developing",
            "Established",
            "Don't know",
        ]
        assert item.option(98).missing
        assert all(item.text[lang].strip() for lang in ("en", "es"))


def test_an_unbroken_copy_loads(tmp_path):
    path = _broken(tmp_path, 'id = "LVA1"', 'id = "LVA1"')
    assert load_instrument(path).checksum == SA.checksum


def test_a_dimension_without_a_group(tmp_path):
    path = _broken(tmp_path, 'id = "resources"\ngroup = "element"\n', 'id = "resources"\n')
    assert _error(path) == (
        f"{path}: dimension 'resources': field 'group':"
        " a self-assessment dimension is an 'element' or a 'centre'"
    )


def test_a_group_that_is_neither(tmp_path):
    path = _broken(tmp_path, 'group = "centre"', 'group = "middle"')
    assert "dimension 'partnerships': field 'group'" in _error(path)


def test_rubric_codes_with_a_gap(tmp_path):
    path = _broken(tmp_path, "{ code = 4, label", "{ code = 5, label")
    assert _error(path) == (
        f"{path}: item 'LVA1': field 'options':"
        " rubric levels must be coded 1, 2, 3, ... with no gap"
    )


def test_a_rubric_level_with_a_score_of_its_own(tmp_path):
    path = _broken(tmp_path, "{ code = 2, label", "{ code = 2, score = 40, label")
    assert _error(path) == (
        f"{path}: item 'LVA1': field 'options': option 2: the rubric works out scores; remove it"
    )


def test_a_statement_scored_another_way(tmp_path):
    path = _broken(tmp_path, 'id = "RES2"\n', 'id = "RES2"\nscoring = "options"\n')
    assert _error(path) == (
        f"{path}: item 'RES2': field 'scoring': a self-assessment item is scored by 'rubric'"
    )


def test_a_free_text_question(tmp_path):
    path = _broken(tmp_path, 'id = "RES2"\n', 'id = "RES2"\nrole = "context"\n')
    assert "item 'RES2': field 'role': a self-assessment item is a scored choice" in _error(path)


def test_a_self_assessment_that_also_mirrors(tmp_path):
    path = _broken(
        tmp_path,
        'languages = ["en", "es"]',
        'languages = ["en", "es"]\nmirrors_instrument = "worker-v2"',
    )
    assert _error(path) == (
        f"{path}: instrument: field 'self_assessment':"
        " an instrument is a self-assessment or mirrors a worker instrument, not both"
    )


def test_an_evidence_limit_out_of_range(tmp_path):
    path = _broken(tmp_path, "evidence_max_length = 500", "evidence_max_length = 0")
    assert "field 'self_assessment.evidence_max_length'" in _error(path)


def test_a_worker_file_may_not_use_groups_or_the_rubric(tmp_path):
    worker = instrument_path("worker", 2)
    grouped = _broken(tmp_path, 'id = "pay"\n', 'id = "pay"\ngroup = "element"\n', worker)
    assert _error(grouped) == (
        f"{grouped}: dimension 'pay': field 'group': applies only to a self-assessment instrument"
    )
    rubric = _broken(tmp_path, 'id = "PAY2"\n', 'id = "PAY2"\nscoring = "rubric"\n', worker)
    assert _error(rubric) == (
        f"{rubric}: item 'PAY2': field 'scoring':"
        " 'rubric' applies only to a self-assessment instrument"
    )
