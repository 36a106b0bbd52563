"""The published worker instrument is complete in every language and well formed."""

from __future__ import annotations

import re

import pytest

from surveyapp.instruments import get_instrument

WORKER = get_instrument("worker", 1)
DIMENSIONS = {"pay", "benefits", "schedule", "safety", "skills", "voice", "respect", "security"}


def test_has_the_eight_design_dimensions():
    assert {d.id for d in WORKER.dimensions} == DIMENSIONS


def test_item_count_is_within_the_issue_range():
    # 30-40 items, not counting the optional "about you" bands and the comment box.
    core = [i for i in WORKER.items if i.role in ("scored", "criterion", "context")]
    assert 30 <= len(core) <= 40


@pytest.mark.parametrize("dimension", sorted(DIMENSIONS))
def test_every_dimension_has_at_least_three_scored_items(dimension):
    assert len(WORKER.items_in(dimension)) >= 3


def test_item_ids_are_unique_ignoring_case():
    ids = [item.id.lower() for item in WORKER.items]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_text_exists_in_every_language(language):
    assert language in WORKER.languages
    texts = [WORKER.title, WORKER.intro]
    for item in WORKER.items:
        texts.append(item.text)
        if item.hint:
            texts.append(item.hint)
        texts.extend(option.label for option in item.options)
    for page in WORKER.pages:
        texts.append(page.title)
        if page.intro:
            texts.append(page.intro)
    for dimension in WORKER.dimensions:
        texts.append(dimension.name)
    for text in texts:
        assert text[language].strip(), text


def test_spanish_is_not_a_copy_of_english():
    same = [i.id for i in WORKER.items if i.text["en"] == i.text["es"]]
    assert same == []


@pytest.mark.parametrize(
    "item", [i for i in WORKER.items if i.kind == "choice"], ids=lambda i: i.id
)
def test_choice_options_are_complete(item):
    answerable = [o for o in item.options if not o.missing]
    assert len(answerable) >= 2
    assert len({o.code for o in item.options}) == len(item.options)
    if item.is_scored:
        # Every scored question has an honest way out that counts as missing.
        assert any(o.missing for o in item.options), item.id
        if item.scoring == "options":
            assert all(o.score is not None and 0 <= o.score <= 100 for o in answerable)
            # The best answer reaches 100 and the worst 0, so the scale spans 0-100.
            assert {min(o.score for o in answerable), max(o.score for o in answerable)} == {0, 100}


def test_subgroup_questions_are_optional_banded_and_offer_prefer_not_to_say():
    subgroups = [i for i in WORKER.items if i.role == "subgroup"]
    assert {i.id for i in subgroups} >= {"SHIFT", "TENURE"}
    for item in subgroups:
        assert not item.required
        assert any(o.missing and o.label["en"] == "Prefer not to say" for o in item.options)


def test_subgroup_questions_come_last():
    last_page = WORKER.pages[-1]
    assert {i.role for i in WORKER.page_items(last_page)} == {"subgroup"}
    assert last_page.intro, "subgroup questions need a sentence saying why they are asked"


def test_one_unscored_good_job_item_and_one_optional_free_text_question():
    criterion = [i for i in WORKER.items if i.role == "criterion"]
    assert [i.text["en"] for i in criterion] == ["Overall, this is a good job."]
    comments = [i for i in WORKER.items if i.role == "comment"]
    assert len(comments) == 1
    assert not comments[0].required
    assert comments[0].max_length == 1000


def test_factual_scoring_rules_are_present():
    wage = WORKER.item("PAY1")
    assert wage.scoring == "living_wage_ratio"
    assert [b.below for b in wage.bands] == [0.8, 1.0, 1.2, 1.5, None]
    assert [b.score for b in wage.bands] == [0, 25, 50, 75, 100]
    notice = WORKER.item("SCH1")
    assert [o.score for o in notice.options if not o.missing] == [0, 25, 50, 75, 100]
    hours = WORKER.item("SCH2")
    assert hours.role == "context"
    assert hours.scoring == "none"


def test_one_dimension_a_page_in_dimension_order():
    dimension_pages = WORKER.pages[: len(WORKER.dimensions)]
    for page, dimension in zip(dimension_pages, WORKER.dimensions, strict=True):
        dims = {i.dimension for i in WORKER.page_items(page) if i.is_scored}
        assert dims == {dimension.id}


def _words_per_sentence(text: str) -> float:
    sentences = [s for s in re.split(r"[.?!]+", text) if s.strip()]
    return sum(len(s.split()) for s in sentences) / len(sentences)


@pytest.mark.parametrize("item", WORKER.items, ids=lambda i: i.id)
def test_questions_are_short_sentences(item):
    # A plain-language proxy for a 6th-grade level: short sentences in both languages.
    assert _words_per_sentence(item.text["en"]) <= 22
    assert _words_per_sentence(item.text["es"]) <= 26


def test_english_reading_level_is_about_sixth_grade():
    """Flesch-Kincaid grade of all English question text, counted by hand-rolled rules."""

    def syllables(word: str) -> int:
        word = word.lower().strip(".,?!;:'\"()")
        groups = re.findall(r"[aeiouy]+", word)
        count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 else 0)
        return max(count, 1)

    text = " ".join(i.text["en"] for i in WORKER.items)
    words = re.findall(r"[A-Za-z']+", text)
    sentences = len([s for s in re.split(r"[.?!]+", text) if s.strip()])
    grade = 0.39 * len(words) / sentences + 11.8 * sum(map(syllables, words)) / len(words) - 15.59
    assert grade <= 6.5, grade
