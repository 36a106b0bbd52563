"""Frozen, typed view of an instrument file.

These classes hold no behaviour that touches files, Flask or the database, so the
pure ``surveyapp.scoring`` package can take an :class:`Instrument` as input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Role = Literal["scored", "criterion", "context", "subgroup", "comment"]
Kind = Literal["choice", "text", "number"]
#: What a ``number`` item counts; dollars per hour may have cents, the rest are whole.
Unit = Literal["dollars_per_hour", "days", "hours", "count"]
Scoring = Literal["options", "living_wage_ratio", "rubric", "none"]
Reliability = Literal["alpha", "not_applicable"]
#: A self-assessment dimension: a framework element or one of its centre themes.
Group = Literal["element", "centre"]

#: Text in every language of the instrument, keyed by language code ("en", "es").
Text = Mapping[str, str]


@dataclass(frozen=True)
class Option:
    """One answer a worker can pick.

    ``code`` is what is stored. ``missing`` options ("Prefer not to say", "Not sure")
    are honest answers that score as missing, never as zero.
    """

    code: int
    label: Text
    score: float | None = None
    missing: bool = False
    #: Midpoint of an hourly wage band in the partnership's currency.
    hourly: float | None = None


@dataclass(frozen=True)
class RatioBand:
    """Score for a wage whose ratio to the living wage is below ``below``."""

    below: float | None  # None: the top band, no upper limit
    score: float


@dataclass(frozen=True)
class ClaimRule:
    """How an employer's answer becomes a claim: the worker option ``code`` it claims.

    A choice item's rule matches the employer's option ``answer``; a number item's
    rules are bands, the first whose ``below`` the number is under (the last band has
    no limit), like a worker item's wage ``bands``.
    """

    code: int
    answer: int | None = None
    below: Decimal | None = None


@dataclass(frozen=True)
class Item:
    id: str
    role: Role
    kind: Kind
    text: Text
    required: bool
    dimension: str | None = None
    type: Literal["fact", "perception"] | None = None
    direction: Literal["positive", "reverse"] = "positive"
    options: tuple[Option, ...] = ()
    scoring: Scoring = "none"
    bands: tuple[RatioBand, ...] = ()
    hint: Text | None = None
    max_length: int | None = None
    mirror: tuple[str, ...] = ()
    #: Employer instruments only: a number item's unit and allowed range.
    unit: Unit | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    #: Employer instruments only: the worker item this question makes a claim about,
    #: and the rules that turn an answer into that item's option code.
    mirrors: str | None = None
    claims: tuple[ClaimRule, ...] = ()

    @property
    def is_scored(self) -> bool:
        return self.role == "scored"

    def option(self, code: int) -> Option | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(option.code for option in self.options)


@dataclass(frozen=True)
class Dimension:
    id: str
    name: Text
    reliability: Reliability = "alpha"
    weight: float = 1.0
    threshold: float | None = None
    #: Self-assessment instruments only.
    group: Group | None = None


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    items: tuple[str, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class Settings:
    #: Line a dimension score must reach to count as "at threshold".
    threshold: float = 50.0
    #: Share of a dimension's items that must be answered for a dimension score.
    min_item_share: float = 0.5
    #: Dimensions that must be scored for a Job Quality Index.
    min_dimensions: int = 6


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    checksum: str
    languages: tuple[str, ...]
    title: Text
    intro: Text
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    pages: tuple[Page, ...]
    settings: Settings = field(default_factory=Settings)
    source: str = ""
    #: Employer instruments only: the worker instrument its claims are about, as
    #: "<key>-v<version>" (e.g. "worker-v2").
    mirrors_instrument: str | None = None
    #: Self-assessment instruments only: the longest evidence note beside a rating.
    evidence_max_length: int | None = None

    @property
    def is_self_assessment(self) -> bool:
        return self.evidence_max_length is not None

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_scored)

    def items_in(self, dimension_id: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.is_scored and i.dimension == dimension_id)

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    def page_items(self, page: Page) -> tuple[Item, ...]:
        return tuple(self.item(item_id) for item_id in page.items)

    def threshold_for(self, dimension_id: str) -> float:
        threshold = self.dimension(dimension_id).threshold
        return self.settings.threshold if threshold is None else threshold
