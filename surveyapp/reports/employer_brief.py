"""The employer brief: one employer's results page on two or three printed pages.

It says what ``/employer/waves/<id>`` says, from the same formatted content
(:func:`surveyapp.employer.dashboard.employer_dashboard`, handed in as ``shown``), in
the page's words: profile and Job Quality Index against the peers' median and
middle half (a chart and a table), percentile rank, "what you said and what your
workers report" (clear gaps first; "too few to test" never reads as "no gap"), the
change since the last round and "where to start".

When the employer's figures are hidden (fewer than k responses, or hidden by
complementary suppression) ``shown`` is None and the brief is one page that says
results need at least k responses and nothing else: the same words for 0, 1 and
k-1 responses (anonymity rules 2 and 8), as on the page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import ngettext
from reportlab.platypus import Flowable, KeepTogether

from ..results_view import HEADLINES, Names, by_statistic
from .brief_charts import ChartRow, peers_chart
from .brief_data import NAME_LIMIT, RoundFacts
from .brief_layout import bold, bullets, escaped, frame_width, gap, markup, para, render, table
from .brief_parts import interval, pairs, round_lines, value_text
from .pdf import DocumentInfo
from .quotes_section import MAX_EMPLOYER_QUOTES, quotes_section
from .text import clip, plain
from .words import _, not_enough, pdf_lang, sentence


def chart_rows(figures: dict[str, Any], entry: dict[str, Any], names: Names) -> list[ChartRow]:
    """The JQI and each dimension: the employer's mean and interval (None when hidden)
    and the peers' median and quartiles, from the stored release."""
    own = by_statistic(entry.get("estimates") or [])
    peers = by_statistic(figures.get("peers") or [])
    order = ["jqi", *(s for s in figures.get("statistics", []) if s not in HEADLINES)]
    rows = []
    for statistic in order:
        mine, peer = own.get(statistic) or {}, peers.get(statistic) or {}
        shown = mine.get("mean") is not None
        rows.append(
            ChartRow(
                names.dimension(statistic),
                mine.get("mean") if shown else None,
                mine.get("low") if shown else None,
                mine.get("high") if shown else None,
                peer.get("median"),
                peer.get("q1"),
                peer.get("q3"),
            )
        )
    return rows


def _title(employer: str, facts: RoundFacts) -> str:
    return _("%(employer)s: results of %(wave)s", employer=employer, wave=facts.wave)


def _hidden(k: int) -> list[Flowable]:
    return [
        para(
            _(
                "Results for a workplace are shown only when at least %(k)d of its workers"
                " have answered. There are not enough responses to show results for this"
                " round.",
                k=k,
            ),
            "lead",
        ),
        para(
            _(
                "Nothing else about the answers is shown, so that nobody's answers can be"
                " worked out from the results."
            )
        ),
    ]


def _headline(shown: dict[str, Any], k: int, width: float) -> list[Flowable]:
    n = shown.get("n_responses")
    based = ""
    if n:
        based = ngettext(
            "Based on %(num)d response from your workers.",
            "Based on %(num)d responses from your workers.",
            n,
        )
        based += " "
    jqi, peer = shown["jqi"], shown["jqi_peer"]
    if shown.get("jqi_rank") is not None:
        rank = _(
            "Percentile rank %(rank)s: higher than about %(rank)s%% of the %(count)d employers"
            " in this round with enough responses.",
            rank=shown["jqi_rank"],
            count=peer["n_employers"],
        )
    else:
        rank = _(
            "No percentile rank: it needs at least 5 employers with enough responses in this round."
        )
    if jqi.mean is not None and peer.get("median") is not None:
        rank += " " + _("Median of the employers in this round: %(median)s", median=peer["median"])
    at = shown.get("at_threshold")
    threshold = (
        sentence(not_enough())
        if at is None
        else _(
            "%(count)d of %(total)d dimensions score %(threshold)s or more.",
            count=at,
            total=shown["n_dimensions"],
            threshold=shown["threshold"],
        )
    )
    story: list[Flowable] = [
        para(
            based
            + _(
                "No figure comes from fewer than %(k)d responses (k). Scores run from 0 to 100;"
                " higher is always a better job.",
                k=k,
            )
        ),
        para(_("Headline numbers"), "h2"),
        pairs(
            [
                (jqi.label, value_text(jqi.mean, jqi.low, jqi.high)),
                (_("Compared with other employers"), rank),
                (_("Dimensions at threshold"), threshold),
            ],
            [150, width - 150],
        ),
    ]
    if shown.get("strongest") and shown.get("weakest"):
        strong, weak = shown["strongest"], shown["weakest"]
        story.append(gap())
        story.append(
            para(
                _("Your strongest dimension is %(name)s, with %(mean)s.", **strong)
                + " "
                + _("Your weakest dimension is %(name)s, with %(mean)s.", **weak)
            )
        )
    return story


def _profile(
    shown: dict[str, Any], rows: list[ChartRow], threshold: float | None, width: float
) -> list[Flowable]:
    chart = peers_chart(rows, width, not_enough(), threshold)
    table_rows = []
    for row in shown["rows"]:
        fig = row["figure"]
        if fig.mean is None:
            table_rows.append([fig.label, not_enough()])
            continue
        median = "–"
        if row["median"] is not None:
            middle = _("middle half %(q1)s – %(q3)s", q1=row["q1"], q3=row["q3"])
            median = markup(
                [escaped(row["median"]), f'<font size="7.5">{escaped(middle)}</font>'], "num"
            )
        rank = row["percentile"] if row["percentile"] is not None else "–"
        table_rows.append([fig.label, fig.mean, interval(fig.low, fig.high), median, rank])
    header = [
        _("Dimension"),
        _("Your score"),
        _("95%% interval"),
        _("Employers' median"),
        _("Rank"),
    ]
    return [
        KeepTogether(
            [
                para(_("Your profile against other employers"), "h2"),
                para(
                    _(
                        "Each blue dot is your score; its whisker is the 95%% interval. The grey"
                        " band is the middle half of the employers in this round, the black line"
                        " their median. The dashed line is the threshold."
                    )
                ),
                chart,
            ]
        ),
        gap(8),
        table(header, table_rows, [170, 66, 88, 130, width - 454], numeric=(1, 2, 3, 4)),
        gap(4),
        para(
            _(
                "Rank is your percentile rank: the employers with a lower score, and half of"
                " those with the same score (yours included), as a share of all employers in"
                " this round with enough responses. A dash means there are too few employers"
                " to compare with."
            ),
            "small",
        ),
    ]


def _gaps(shown: dict[str, Any]) -> list[Flowable]:
    story: list[Flowable] = [para(_("What you said and what your workers report"), "h2")]
    if not shown["gaps"]:
        story.append(
            para(
                _(
                    "Nothing to compare: this round's results hold no answers from your"
                    " employer survey."
                )
            )
        )
        return story
    story.append(
        para(
            _(
                "Your answers to the employer survey are compared with your workers' answers to"
                " the same questions, on the 0 to 100 scale. A clear gap is at least 10 points"
                " between your answer and the middle worker's, and unlikely to be chance (a"
                " Wilcoxon signed-rank test, adjusted for the number of questions)."
            )
        )
    )
    # Grouped under their verdict, in the page's order (clear gaps first): on paper a
    # verdict said once above its questions saves a line a question, which is what
    # keeps an employer that answered every question within three pages.
    groups: dict[str | None, list[Any]] = {}
    for line in shown["gaps"]:
        groups.setdefault(None if line.state == "hidden" else line.verdict, []).append(line)
    hidden = groups.pop(None, [])
    for verdict, lines in groups.items():
        story.append(para(verdict or "", "h3"))
        story += [
            markup([bold(line.question), escaped(" ".join(line.sentences))], "gap")
            for line in lines
        ]
    if hidden:
        story.append(para(_("Your workers' answers:") + f" {not_enough()}.", "h3"))
        story += [
            markup([bold(line.question), escaped(line.sentences[0])], "gap") for line in hidden
        ]
    return story


def _trend(shown: dict[str, Any], width: float) -> list[Flowable]:
    story: list[Flowable] = [para(_("Change since the last round"), "h2")]
    if not shown["trend"]:
        story.append(para(_("There is no earlier closed round to compare with.")))
        return story
    headline = shown.get("trend_jqi")
    if headline:
        story.append(
            para(
                _(
                    "Job Quality Index: your workers this round score higher than last round in"
                    " %(share)s%% of comparisons (change %(difference)s points).",
                    share=headline["share"],
                    difference=headline["difference"],
                )
            )
        )
    rows = []
    for row in shown["trend"]:
        if row["difference"] is None:
            rows.append([row["label"], not_enough()])
            continue
        share = _("higher in %(share)s%% of comparisons", share=row["share"])
        rows.append([row["label"], row["previous"], row["current"], row["difference"], share])
    # Two columns rather than the page's "Last round → this round": the body font
    # has no arrow.
    header = [_("Dimension"), _("Last round"), _("This round"), _("Change (points)"), ""]
    story.append(table(header, rows, [150, 56, 56, 64, width - 326], numeric=(1, 2, 3)))
    story.append(gap(4))
    story.append(
        para(
            _(
                "“Higher in 60%% of comparisons” means: take one of your workers' answers from"
                " this round and one from last round; 60 times in 100 this round's is higher (a"
                " tie counts half)."
            ),
            "small",
        )
    )
    return story


def _start(shown: dict[str, Any]) -> list[Flowable]:
    if not shown.get("start"):
        return []
    groups = [[para(d["name"], "h3"), *bullets(d["practices"])] for d in shown["start"]]
    intro = [
        para(_("Where to start"), "h2"),
        para(
            _(
                "A few practices for your two weakest dimensions, from job-quality frameworks"
                " such as the US Department of Labor's Good Jobs Principles."
            )
        ),
    ]
    # The heading and its introduction go with the first dimension's practices; each
    # dimension's list stays on one page.
    return [KeepTogether(intro + groups[0]), *(KeepTogether(group) for group in groups[1:])]


def employer_brief_pdf(
    facts: RoundFacts,
    employer: str,
    shown: dict[str, Any] | None,
    *,
    k: int,
    rows: list[ChartRow] | None = None,
    threshold: float | None = None,
    paper: str = "letter",
    created: datetime | None = None,
    quotes: Sequence[str] = (),
    quote_threshold: int = 10,
) -> bytes:
    """The employer's brief as PDF bytes, in the current language.

    :param shown: :func:`~surveyapp.employer.dashboard.employer_dashboard`'s content,
        or None when the employer's figures are hidden (a one-page brief).
    :param rows: the chart's rows (:func:`chart_rows`); needed when ``shown`` is given.
    :param threshold: the instrument's threshold, drawn as a dashed line.
    :param quotes: staff-approved quotes of its workers that rule 6 allows (ignored when
        the figures are hidden).
    """
    title = _title(clip(plain(employer), NAME_LIMIT), facts)
    info = DocumentInfo(title=title, lang=pdf_lang(), subject=facts.partnership)
    if created is not None:
        info = dataclasses.replace(info, created=created)
    width = frame_width(paper)
    story: list[Flowable] = [para(title, "h1"), *round_lines(facts, info.created.date()), gap(8)]
    if shown is None:
        story += _hidden(k)
    else:
        story += _headline(shown, k, width)
        story += _profile(shown, rows or [], threshold, width)
        story += _gaps(shown)
        unique = list(dict.fromkeys(quotes))[:MAX_EMPLOYER_QUOTES]
        story += quotes_section(unique, quote_threshold)
        story.append(KeepTogether(_trend(shown, width)))
        story += _start(shown)
    return render(info, story, paper, title)
