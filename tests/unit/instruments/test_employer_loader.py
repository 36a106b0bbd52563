"""A wrong employer file is refused in one line naming the file, the item and the field.

Each test writes a broken copy of employer-v1.toml next to a copy of worker-v2.toml
(the employer file's worker instrument is looked up in its own folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from surveyapp.instruments import InstrumentError, instrument_path, load_instrument

EMPLOYER_FILE = instrument_path("employer", 1)
WORKER_FILE = instrument_path("worker", 2)

E4_CLAIMS = """claims = [
  { below = 1, code = 1 },
  { below = 3, code = 2 },
  { below = 7, code = 3 },
  { below = 14, code = 4 },
  { code = 5 },
]"""


def _broken(tmp_path: Path, old: str, new: str, *, worker: bool = True) -> Path:
    text = EMPLOYER_FILE.read_text("utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / EMPLOYER_FILE.name
    path.write_text(text.replace(old, new), "utf-8")
    if worker:
        shutil.copy(WORKER_FILE, tmp_path / WORKER_FILE.name)
    return path


def _error(path: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


def test_an_unbroken_copy_loads(tmp_path):
    path = _broken(tmp_path, 'mirrors = "SCH1"', 'mirrors = "SCH1"')
    assert load_instrument(path).checksum == load_instrument(EMPLOYER_FILE).checksum


def test_mirrored_worker_item_that_does_not_exist(tmp_path):
    path = _broken(tmp_path, 'mirrors = "SCH1"', 'mirrors = "SCH9"')
    assert _error(path) == f"{path}: item 'E4': field 'mirrors': worker-v2 has no item 'SCH9'"


def test_mirrored_worker_item_that_is_not_scored(tmp_path):
    path = _broken(tmp_path, 'mirrors = "SCH1"', 'mirrors = "SCH2"')
    assert _error(path) == (
        f"{path}: item 'E4': field 'mirrors': 'SCH2' in worker-v2 is not a scored item"
        " (role 'context'), so a claim about it has no score"
    )


def test_mapped_code_that_is_not_an_option_of_the_worker_item(tmp_path):
    path = _broken(tmp_path, E4_CLAIMS, E4_CLAIMS.replace("{ code = 5 }", "{ code = 6 }"))
    assert _error(path) == (
        f"{path}: item 'E4': field 'claims[5].code': 6 is not an option of 'SCH1' in worker-v2"
    )


def test_mapped_code_that_is_a_missing_option(tmp_path):
    path = _broken(tmp_path, E4_CLAIMS, E4_CLAIMS.replace("{ code = 5 }", "{ code = 98 }"))
    assert _error(path) == (
        f"{path}: item 'E4': field 'claims[5].code': option 98 of 'SCH1' in worker-v2"
        " is a 'missing' option, which has no score"
    )


def test_choice_mapping_to_a_missing_option(tmp_path):
    path = _broken(
        tmp_path,
        "claims = [{ answer = 1, code = 1 }, { answer = 2, code = 4 }]",
        "claims = [{ answer = 1, code = 1 }, { answer = 2, code = 98 }]",
    )
    message = _error(path)
    assert message.startswith(f"{path}: item 'E3a_ft': field 'claims[2].code': option 98 of")


def test_thresholds_that_do_not_increase(tmp_path):
    path = _broken(
        tmp_path, E4_CLAIMS, E4_CLAIMS.replace("{ below = 7, code = 3 }", "{ below = 2, code = 3 }")
    )
    assert _error(path) == (
        f"{path}: item 'E4': field 'claims[3].below': 2 is not more than the limit before it"
        " (3): limits must increase"
    )


def test_equal_thresholds_do_not_increase(tmp_path):
    path = _broken(
        tmp_path, E4_CLAIMS, E4_CLAIMS.replace("{ below = 7, code = 3 }", "{ below = 3, code = 3 }")
    )
    assert "field 'claims[3].below': 3 is not more than the limit before it (3)" in _error(path)


def test_last_threshold_must_be_open(tmp_path):
    path = _broken(
        tmp_path, E4_CLAIMS, E4_CLAIMS.replace("{ code = 5 }", "{ below = 20, code = 5 }")
    )
    assert _error(path) == (
        f"{path}: item 'E4': field 'claims': every claim but the last needs 'below';"
        " the last has none"
    )


def test_worker_instrument_file_that_is_not_there(tmp_path):
    path = _broken(tmp_path, 'mirrors = "SCH1"', 'mirrors = "SCH1"', worker=False)
    assert _error(path) == (
        f"{path}: instrument: field 'mirrors_instrument': there is no file"
        f" {tmp_path / 'worker-v2.toml'}"
    )


def test_worker_instrument_whose_key_and_version_differ_from_its_name(tmp_path):
    path = _broken(tmp_path, 'mirrors_instrument = "worker-v2"', 'mirrors_instrument = "worker-v7"')
    shutil.copy(WORKER_FILE, tmp_path / "worker-v7.toml")
    assert _error(path).endswith(
        "instrument: field 'mirrors_instrument': worker-v7.toml holds worker-v2, not worker-v7"
    )


def test_worker_instrument_that_mirrors_another_is_refused(tmp_path):
    path = _broken(
        tmp_path, 'mirrors_instrument = "worker-v2"', 'mirrors_instrument = "employer-v1"'
    )
    message = _error(path)
    assert "field 'mirrors_instrument': cannot be used:" in message
    assert "an instrument that another one mirrors cannot itself mirror one" in message


def test_claim_outside_the_worker_items_mirror_list(tmp_path):
    # SCH5 is scored and has an agree5 code 4, but its `mirror` names E15, not E4.
    path = _broken(
        tmp_path,
        'id = "E15_SCH5"\nscale = "agree5"\nmirrors = "SCH5"',
        'id = "E15_SCH5"\nscale = "agree5"\nmirrors = "SCH6"',
    )
    assert _error(path) == (
        f"{path}: item 'E15_SCH5': field 'mirrors': 'SCH6' in worker-v2 does not list this"
        " item in its 'mirror' (none)"
    )


def test_two_claims_about_one_worker_item(tmp_path):
    path = _broken(
        tmp_path,
        'id = "E15_PAY4"\nscale = "agree5"\nmirrors = "PAY4"',
        'id = "E15_PAY4"\nscale = "agree5"\nmirrors = "PAY2"',
    )
    assert _error(path) == (
        f"{path}: item 'E15_PAY4': field 'mirrors': 'PAY2' already has a claim from item 'E15_PAY2'"
    )


def test_mirrors_without_claims(tmp_path):
    path = _broken(tmp_path, "claims = [{ answer = 1, code = 1 }, { answer = 2, code = 4 }]\n", "")
    assert _error(path) == f"{path}: item 'E3a_ft': field 'claims': 'mirrors' needs 'claims'"


def test_choice_answer_without_a_claim(tmp_path):
    path = _broken(
        tmp_path,
        "claims = [{ answer = 1, code = 1 }, { answer = 2, code = 4 }]",
        "claims = [{ answer = 1, code = 1 }]",
    )
    assert _error(path) == f"{path}: item 'E3a_ft': field 'claims': option 2 has no claim"


def test_not_sure_cannot_make_a_claim(tmp_path):
    path = _broken(
        tmp_path,
        "claims = [{ answer = 1, code = 1 }, { answer = 2, code = 4 }]",
        "claims = [{ answer = 1, code = 1 }, { answer = 2, code = 4 }, { answer = 98, code = 3 }]",
    )
    assert _error(path) == (
        f"{path}: item 'E3a_ft': field 'claims[3].answer': option 98 is 'missing':"
        " it makes no claim"
    )


def test_number_item_without_a_unit(tmp_path):
    path = _broken(
        tmp_path, 'id = "E4"\nkind = "number"\nunit = "days"\n', 'id = "E4"\nkind = "number"\n'
    )
    assert _error(path) == (
        f"{path}: item 'E4': field 'unit': a number item needs 'unit', 'min' and 'max'"
    )


def test_whole_number_unit_with_a_fraction(tmp_path):
    path = _broken(
        tmp_path, 'unit = "days"\nmin = 0\nmax = 365', 'unit = "days"\nmin = 0\nmax = 365.5'
    )
    assert _error(path) == (
        f"{path}: item 'E4': field 'max': 365.5 has more decimal places than 'days' allows"
    )


def test_number_item_with_a_real_answer_option(tmp_path):
    path = _broken(
        tmp_path,
        'unit = "days"\nmin = 0\nmax = 365\nscale = "way_out"',
        'unit = "days"\nmin = 0\nmax = 365\nscale = "yes_no"',
    )
    assert _error(path) == (
        f"{path}: item 'E4': field 'options': a number item's options must all be 'missing'"
    )


def test_employer_item_cannot_be_scored(tmp_path):
    path = _broken(tmp_path, 'id = "E8"\n', 'id = "E8"\nrole = "scored"\n')
    assert _error(path) == (
        f"{path}: item 'E8': field 'role': an employer instrument scores nothing itself:"
        " use 'context'"
    )


def test_worker_file_cannot_have_number_items_or_claims(tmp_path):
    text = WORKER_FILE.read_text("utf-8")
    path = tmp_path / "worker-v9.toml"
    path.write_text(text.replace('id = "SCH6"\n', 'id = "SCH6"\nkind = "number"\n'), "utf-8")
    assert _error(path).endswith(
        "item 'SCH6': field 'kind': number items are only for an instrument with"
        " 'mirrors_instrument'"
    )
    path.write_text(text.replace('id = "SCH6"\n', 'id = "SCH6"\nmirrors = "E4"\n'), "utf-8")
    assert _error(path).endswith(
        "item 'SCH6': field 'mirrors': applies only to an instrument with 'mirrors_instrument'"
    )


def test_worker_file_still_needs_dimensions(tmp_path):
    text = WORKER_FILE.read_text("utf-8")
    path = tmp_path / "worker-v9.toml"
    path.write_text(text.replace("[[dimensions]]", "[[dimensionz]]"), "utf-8")
    assert "field 'dimensions': is missing" in _error(path)
