"""worker-v2: the wording fixes of issue 8 section 7, with v1's scoring kept intact.

Waves that used v1 keep it (their responses record its checksum), and scores from a
v1 wave and a v2 wave are compared in trends, so v2 may differ from v1 in wording
only, and only where a worker could misread v1.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

import numpy as np
import pytest

from surveyapp.instruments import Instrument, Item, get_instrument, instrument_path
from surveyapp.scoring.dimensions import score_responses

V1 = get_instrument("worker", 1)
V2 = get_instrument("worker", 2)

#: worker-v1.toml as the waves that used it saw it; it must never change.
V1_SHA256 = "4ff919774d56e6e76bf9acb2d1770495187a3ca32e861df52b29d8da5169e7fd"

#: Every text that v2 changes, as (item id, field). Anything else changing is a bug.
INTENDED_CHANGES = {
    ("PAY3", "text.en"),
    ("PAY3", "text.es"),
    ("SCH3", "text.en"),
    ("SCH3", "text.es"),
    ("SCH3", "option 1.en"),
    ("SCH3", "option 1.es"),
    ("SCH5", "text.es"),
    ("SKL5", "text.es"),
    ("SEC2", "option 3.en"),
    ("SEC2", "option 3.es"),
    ("SEC2", "option 4.en"),
    ("SEC2", "option 4.es"),
    ("CHANGE", "hint.en"),
    ("CHANGE", "hint.es"),
}


def _without_text(instrument: Instrument) -> dict[str, Any]:
    """Everything that decides how answers are stored and scored, without any wording."""

    def strip(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {
                f.name: strip(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in ("text", "hint", "label", "name", "title", "intro")
            }
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    return {
        "key": instrument.key,
        "languages": tuple(instrument.languages),
        "settings": strip(instrument.settings),
        "dimensions": strip(list(instrument.dimensions)),
        "items": strip(list(instrument.items)),
        "pages": strip(list(instrument.pages)),
    }


def _texts(item: Item) -> dict[str, str]:
    texts = {f"text.{lang}": value for lang, value in item.text.items()}
    for lang, value in (item.hint or {}).items():
        texts[f"hint.{lang}"] = value
    for option in item.options:
        for lang, value in option.label.items():
            texts[f"option {option.code}.{lang}"] = value
    return texts


def test_v1_file_is_byte_for_byte_what_its_waves_used():
    data = instrument_path("worker", 1).read_bytes()
    assert hashlib.sha256(data).hexdigest() == V1_SHA256
    assert V1.checksum == V1_SHA256


def test_v2_loads_as_worker_version_2_with_its_own_checksum():
    assert (V2.key, V2.version) == ("worker", 2)
    assert V2.checksum == hashlib.sha256(instrument_path("worker", 2).read_bytes()).hexdigest()
    assert V2.checksum != V1.checksum


def test_v2_stores_and_scores_exactly_like_v1():
    # Same items in the same order, same codes, scores, reverse coding, wage bands,
    # dimensions, weights, thresholds and pages: a v2 answer means what a v1 answer meant.
    assert _without_text(V2) == _without_text(V1)


def test_same_answers_give_the_same_scores_under_both_versions():
    ids = [item.id for item in V1.scored_items]
    rng = np.random.default_rng(8)
    codes = np.array(
        [[rng.choice([o.code for o in V1.item(i).options]) for i in ids] for _ in range(200)]
    )
    first = score_responses(V1, codes, ids, living_wage=24.0)
    second = score_responses(V2, codes, ids, living_wage=24.0)
    np.testing.assert_array_equal(first.dimensions, second.dimensions)
    np.testing.assert_array_equal(first.jqi, second.jqi)


def test_only_the_intended_texts_change():
    changed = set()
    for old, new in zip(V1.items, V2.items, strict=True):
        before, after = _texts(old), _texts(new)
        assert before.keys() == after.keys(), old.id
        changed |= {(old.id, name) for name in before if before[name] != after[name]}
    assert changed == INTENDED_CHANGES
    for attribute in ("title", "intro"):
        assert getattr(V2, attribute) == getattr(V1, attribute)
    assert [p.title for p in V2.pages] == [p.title for p in V1.pages]
    assert [d.name for d in V2.dimensions] == [d.name for d in V1.dimensions]


def _label(item_id: str, code: int, lang: str) -> str:
    option = V2.item(item_id).option(code)
    assert option is not None
    return option.label[lang]


def test_sec2_says_plainly_who_pays_and_how_the_work_comes():
    # "día a día" reads as "every day": a steady worker could pick the answer scoring 0.
    on_call = _label("SEC2", 4, "es")
    assert "día a día" not in on_call
    assert "me necesitan" in on_call
    assert "por día" in on_call
    assert "when they need me" in _label("SEC2", 4, "en")
    # "agencia de empleo" reads as a job-placement office, not the one paying them.
    agency = _label("SEC2", 3, "es")
    assert "agencia de empleo" not in agency
    assert agency == "Me paga una agencia de trabajo temporal"
    assert "temporary staffing agency pays me" in _label("SEC2", 3, "en")


def test_pay3_asks_about_pay_after_deductions():
    # "su pago" is the hourly rate in PAY1 and PAY2; PAY3 is the amount received.
    assert "después de los descuentos" in V2.item("PAY3").text["es"]
    assert "after deductions" in V2.item("PAY3").text["en"]


def test_sch3_offers_the_same_hours_as_now_without_mas_o_menos():
    item = V2.item("SCH3")
    assert "más o menos" not in item.text["es"].lower()
    assert item.text["es"].endswith("o las mismas horas que ahora?")
    assert _label("SCH3", 1, "es") == "Las mismas horas que ahora"
    assert item.text["en"].endswith("or the same hours as now?")
    assert _label("SCH3", 1, "en") == "The same hours as now"


@pytest.mark.parametrize("item_id", ["SCH5", "SKL5"])
def test_having_a_say_is_not_just_giving_an_opinion(item_id):
    # "Puedo opinar" is "I can give my opinion", which leans answers positive.
    text = V2.item(item_id).text
    assert "opinar" not in text["es"]
    assert text["es"].startswith("Puedo decidir, al menos en parte,")
    assert text["en"].startswith("I have a say in")  # unchanged, so EN stays comparable


@pytest.mark.parametrize("lang", ["en", "es"])
def test_comment_hint_asks_for_no_names_and_leaves_the_promise_to_the_page(lang):
    """The promise names the partnership's own quote threshold, which only the page
    knows (tests/integration/test_wording.py checks it there)."""
    hint = V2.item("CHANGE").hint
    assert hint is not None
    assert hint[lang].startswith(("Please do not write names", "Por favor no escriba nombres"))
    assert not re.search(r"\d", hint[lang])  # no threshold a partnership might not use
    # "the partnership" includes employers: staff must be named as staff.
    assert "partnership" not in hint[lang]
    assert "alianza" not in hint[lang]


@pytest.mark.parametrize("item", V2.items, ids=lambda i: i.id)
def test_v2_questions_are_short_sentences(item):
    def words_per_sentence(text: str) -> float:
        sentences = [s for s in re.split(r"[.?!]+", text) if s.strip()]
        return sum(len(s.split()) for s in sentences) / len(sentences)

    assert words_per_sentence(item.text["en"]) <= 22
    assert words_per_sentence(item.text["es"]) <= 26


def test_v2_english_reading_level_is_about_sixth_grade():
    def syllables(word: str) -> int:
        word = word.lower().strip(".,?!;:'\"()")
        groups = re.findall(r"[aeiouy]+", word)
        count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 else 0)
        return max(count, 1)

    text = " ".join(i.text["en"] for i in V2.items)
    words = re.findall(r"[A-Za-z']+", text)
    sentences = len([s for s in re.split(r"[.?!]+", text) if s.strip()])
    grade = 0.39 * len(words) / sentences + 11.8 * sum(map(syllables, words)) / len(words) - 15.59
    assert grade <= 6.5, grade
