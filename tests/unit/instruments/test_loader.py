"""A malformed instrument file gives one clear error naming the file, item and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveyapp.instruments import InstrumentError, instrument_path, load_instrument

WORKER_FILE = instrument_path("worker", 1)


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = WORKER_FILE.read_text("utf-8")
    assert old in text, old
    path = tmp_path / "worker-v1.toml"
    path.write_text(text.replace(old, new, count), "utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return message


def test_the_published_file_loads_and_records_its_checksum():
    import hashlib

    instrument = load_instrument(WORKER_FILE)
    assert instrument.checksum == hashlib.sha256(WORKER_FILE.read_bytes()).hexdigest()
    assert (instrument.key, instrument.version) == ("worker", 1)


def test_missing_translation_names_item_and_field(tmp_path):
    path = _broken(
        tmp_path,
        'text = { en = "My pay covers my basic bills each month.", '
        'es = "Mi pago alcanza para mis gastos básicos cada mes." }',
        'text = { en = "My pay covers my basic bills each month." }',
    )
    assert _error(path).endswith("item 'PAY2': field 'text.es': text is missing for this language")


def test_unknown_field_names_item(tmp_path):
    path = _broken(tmp_path, 'id = "PAY3"\n', 'id = "PAY3"\ncolour = "red"\n')
    message = _error(path)
    assert "item 'PAY3'" in message
    assert "colour" in message


def test_wrong_type_names_item_and_field(tmp_path):
    path = _broken(tmp_path, 'id = "SAF2"\n', 'id = "SAF2"\nrequired = "yes"\n')
    message = _error(path)
    assert "item 'SAF2'" in message
    assert "field 'required'" in message


def test_unknown_scale_is_named(tmp_path):
    path = _broken(
        tmp_path,
        'id = "SKL4"\ndimension = "skills"\ntype = "perception"\nscale = "agree5"',
        'id = "SKL4"\ndimension = "skills"\ntype = "perception"\nscale = "agree7"',
    )
    assert _error(path).endswith("item 'SKL4': field 'scale': there is no scale named 'agree7'")


def test_unknown_dimension_is_named(tmp_path):
    path = _broken(
        tmp_path, 'id = "RES4"\ndimension = "respect"', 'id = "RES4"\ndimension = "respekt"'
    )
    message = _error(path)
    assert "item 'RES4'" in message
    assert "dimension" in message


def test_duplicate_item_id(tmp_path):
    path = _broken(tmp_path, 'id = "VOI4"', 'id = "VOI1"')
    message = _error(path)
    assert "item 'VOI1'" in message
    assert "used by two items" in message


def test_duplicate_option_code(tmp_path):
    path = _broken(
        tmp_path,
        '{ code = 2, score = 50, label = { en = "Seasonal',
        '{ code = 1, score = 50, label = { en = "Seasonal',
    )
    message = _error(path)
    assert "item 'SEC2'" in message
    assert "options[2].code" in message


def test_scored_option_without_score(tmp_path):
    path = _broken(
        tmp_path,
        '{ code = 3, score = 25, label = { en = "Through a staffing agency"',
        '{ code = 3, label = { en = "Through a staffing agency"',
    )
    message = _error(path)
    assert "item 'SEC2'" in message
    assert "option 3 has no score" in message


def test_score_out_of_range_is_refused(tmp_path):
    path = _broken(
        tmp_path,
        '{ code = 1, score = 100, label = { en = "Permanent"',
        '{ code = 1, score = 150, label = { en = "Permanent"',
    )
    message = _error(path)
    assert "item 'SEC2'" in message
    assert "score" in message


def test_item_on_no_page(tmp_path):
    path = _broken(tmp_path, 'items = ["SHIFT", "TENURE", "FTPT"]', 'items = ["SHIFT", "TENURE"]')
    assert _error(path).endswith("item 'FTPT': is on no page")


def test_item_on_two_pages(tmp_path):
    path = _broken(
        tmp_path, 'items = ["SHIFT", "TENURE", "FTPT"]', 'items = ["SHIFT", "TENURE", "FTPT", "G1"]'
    )
    message = _error(path)
    assert "page 'about_you'" in message
    assert "G1" in message


def test_bands_must_increase(tmp_path):
    path = _broken(tmp_path, "{ below = 1.2, score = 50 }", "{ below = 0.9, score = 50 }")
    message = _error(path)
    assert "item 'PAY1'" in message
    assert "field 'bands'" in message


def test_unsupported_format_version(tmp_path):
    path = _broken(tmp_path, "format_version = 1", "format_version = 2")
    assert "format_version" in _error(path)


def test_missing_required_top_level_field(tmp_path):
    text = WORKER_FILE.read_text("utf-8")
    path = tmp_path / "w.toml"
    path.write_text(re.sub(r'(?m)^key = "worker"\n', "", text), "utf-8")
    assert _error(path).endswith("field 'key': is missing")


def test_not_toml(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text("this is = = not toml", "utf-8")
    assert "not valid UTF-8 TOML" in _error(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "w.toml"
    path.write_bytes(b'key = "\xff\xfe"')
    assert "not valid UTF-8 TOML" in _error(path)


def test_missing_file(tmp_path):
    assert "cannot be read" in _error(tmp_path / "nope.toml")


def test_free_text_item_cannot_have_options(tmp_path):
    path = _broken(
        tmp_path,
        'kind = "text"\nmax_length = 1000',
        'kind = "text"\nmax_length = 1000\nscale = "agree5"',
    )
    message = _error(path)
    assert "item 'CHANGE'" in message
    assert "field 'scale'" in message
