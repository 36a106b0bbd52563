"""The sector brief's later sections: reliability, differences between groups of
workers, and the change since the last round, in the staff dashboard's words.

``page`` is :func:`surveyapp.staff.results.dashboard`'s content; a figure it holds
as None reads "not enough responses" here, as on the page.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, KeepTogether

from .brief_layout import bold, escaped, gap, markup, para, table
from .brief_parts import interval
from .sector_figures import effect_size
from .words import _, not_enough, sentence


def reliability(page: dict[str, Any], width: float) -> list[Flowable]:
    rows: list[list[Any]] = []
    for row in page["reliability"]:
        if not row["applicable"]:
            rows.append([row["label"], _("not applicable: the questions are separate facts")])
        elif row["alpha"] is None:
            rows.append([row["label"], not_enough()])
        else:
            alpha = escaped(row["alpha"])
            if row["warn"]:
                alpha += " " + bold(_("below 0.70: review"))
            rows.append([row["label"], markup([alpha], "num"), interval(row["low"], row["high"])])
    validity = page.get("validity")
    if validity:
        check = _(
            "Validity check: the Job Quality Index and the answer to “Overall, this is a good"
            " job” correlate at r = %(r)s (95%% interval %(low)s – %(high)s, %(n)d responses).",
            **validity,
        )
    else:
        check = f"{_('Validity check:')} {not_enough()}."
    return [
        para(_("Do the questions hang together?"), "h2"),
        para(
            _(
                "Cronbach's alpha, from 0 to 1, for each dimension. Below 0.70 the dimension's"
                " questions should be reviewed."
            )
        ),
        table([_("Dimension"), _("Alpha"), _("95%% interval")], rows, [220, 150, 110], (1, 2)),
        gap(4),
        para(check),
    ]


def equity(page: dict[str, Any], width: float) -> list[Flowable]:
    story: list[Flowable] = [para(_("Differences between groups of workers"), "h2")]
    # Each grouping kept whole on a page, its heading with its table.
    story += [KeepTogether(_equity_group(section)) for section in page["equity"]]
    if not page["equity"]:
        story.append(para(sentence(not_enough())))
    return story


def _equity_group(section: dict[str, Any]) -> list[Flowable]:
    """One grouping (shift, tenure, ...): its groups' figures and the test's verdict."""
    story: list[Flowable] = [para(section["label"], "h3")]
    if not section["rows"]:
        return [*story, para(sentence(not_enough()))]
    rows: list[list[Any]] = []
    for row in section["rows"]:
        if row.mean is None:
            rows.append([row.label, not_enough()])
        else:
            rows.append([row.label, str(row.n), row.mean, interval(row.low, row.high)])
    header = [_("Group"), _("Responses"), section["statistic"], _("95%% interval")]
    story += [table(header, rows, [200, 80, 110, 110], (1, 2, 3)), gap(4)]
    if section["differs"]:
        story.append(para(_("The groups differ (Kruskal-Wallis test, p = %(p)s).", p=section["p"])))
    elif section["tested"]:
        story.append(
            para(
                _(
                    "No detectable difference between the groups (Kruskal-Wallis test, p ="
                    " %(p)s). Small groups can hide real differences.",
                    p=section["p"],
                )
            )
        )
    return story


def _size_words() -> dict[str, str]:
    return {
        "negligible": _("negligible"),
        "small": _("small"),
        "medium": _("medium"),
        "large": _("large"),
    }


def trend(figures: dict[str, Any], page: dict[str, Any], width: float) -> list[Flowable]:
    story: list[Flowable] = [para(_("Change since the last round"), "h2")]
    rows_shown = page["trend"]
    if not rows_shown:
        story.append(para(_("There is no earlier closed round to compare with.")))
        return story
    deltas = {t.get("statistic"): t.get("cliffs_delta") for t in figures.get("trend") or []}
    headline = next((r for r in rows_shown if r["statistic"] == "jqi" and r["share"]), None)
    if headline:
        story.append(
            para(
                _(
                    "Job Quality Index: workers this round score higher than last round in"
                    " %(share)s%% of comparisons (change %(difference)s points).",
                    share=headline["share"],
                    difference=headline["difference"],
                )
            )
        )
    words = _size_words()
    rows: list[list[Any]] = []
    for row in rows_shown:
        if row["difference"] is None:
            rows.append([row["label"], not_enough()])
            continue
        size = effect_size(deltas.get(row["statistic"]))
        rows.append(
            [
                row["label"],
                row["previous"],
                row["current"],
                row["difference"],
                _("higher in %(share)s%% of comparisons", share=row["share"]),
                words.get(size or "", ""),
            ]
        )
    header = [
        _("Dimension"),
        _("Last round"),
        _("This round"),
        _("Change (points)"),
        _("Comparisons"),
        _("Size of the change"),
    ]
    story += [table(header, rows, [130, 50, 50, 56, width - 366, 80], (1, 2, 3)), gap(4)]
    story.append(
        para(
            _(
                "“Higher in 60%% of comparisons” means: take one worker's answers from this round"
                " and one from last round; 60 times in 100 this round's is higher (a tie counts"
                " half). The size of the change puts this in words: negligible, small, medium"
                " or large."
            ),
            "small",
        )
    )
    return story
