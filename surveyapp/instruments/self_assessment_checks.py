"""Self-assessment instruments (a top-level ``self_assessment`` table) and their checks.

A self-assessment (``partnership-v1.toml``, MEASUREMENT.md 3.3) is answered by
partnership staff and partners about the partnership. Its dimensions are the Sector
Strategies Framework's elements and centre themes (``group``); every statement is rated
on a rubric whose scores the loader works out from the codes, (code - 1) / (n - 1) x 100,
so a file cannot give a level a score that disagrees with the published rule. Each
statement takes an optional evidence note of at most ``evidence_max_length`` characters.

Every function reports a problem through ``fail(where, field, message)``, the loader's
one-line error, so this module needs nothing from the loader; a worker or employer file
uses none of these fields and loads exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, cast

from .model import Group, Option

Fail = Callable[[str, str, str], Exception]


def evidence_limit(data: Mapping[str, Any], fail: Fail) -> int | None:
    """The longest evidence note of a self-assessment; None for any other instrument."""
    table = data.get("self_assessment")
    if table is None:
        return None
    if "mirrors_instrument" in data:
        raise fail(
            "instrument",
            "self_assessment",
            "an instrument is a self-assessment or mirrors a worker instrument, not both",
        )
    return int(table["evidence_max_length"])


def dimension_group(
    raw: Mapping[str, Any], where: str, fail: Fail, *, active: bool
) -> Group | None:
    """A self-assessment dimension's ``group``: an ``element`` or a ``centre`` theme."""
    if not active:
        if "group" in raw:
            raise fail(where, "group", "applies only to a self-assessment instrument")
        return None
    if "group" not in raw:
        raise fail(where, "group", "a self-assessment dimension is an 'element' or a 'centre'")
    return cast(Group, raw["group"])  # the schema allows only the two values


def check_item(raw: Mapping[str, Any], where: str, role: str, fail: Fail, *, active: bool) -> None:
    """A self-assessment asks only rubric-rated statements; only it may use the rubric."""
    if not active:
        if raw.get("scoring") == "rubric":
            raise fail(where, "scoring", "'rubric' applies only to a self-assessment instrument")
        return
    if role != "scored" or raw.get("kind", "choice") != "choice":
        # Evidence notes go beside each rating; a free-text question of its own would be
        # a second, unscored way to say the same thing.
        raise fail(where, "role", "a self-assessment item is a scored choice (the rubric)")
    if raw.get("scoring", "rubric") != "rubric":
        raise fail(where, "scoring", "a self-assessment item is scored by 'rubric'")
    for key in ("direction", "bands", "mirror"):
        if key in raw:
            raise fail(where, key, "does not apply to a self-assessment item")


def rubric_options(options: tuple[Option, ...], where: str, fail: Fail) -> tuple[Option, ...]:
    """The options with their rubric scores: levels coded 1..n score (code - 1) / (n - 1) x 100.

    "Don't know" options (``missing``) keep no score.
    """
    levels = sorted(option.code for option in options if not option.missing)
    if len(levels) < 2 or levels != list(range(1, len(levels) + 1)):
        raise fail(where, "options", "rubric levels must be coded 1, 2, 3, ... with no gap")
    for option in options:
        if option.score is not None:
            raise fail(
                where, "options", f"option {option.code}: the rubric works out scores; remove it"
            )
    top = len(levels) - 1
    return tuple(
        option if option.missing else replace(option, score=(option.code - 1) / top * 100.0)
        for option in options
    )
