"""The sector brief: a closed round's results for the partnership's employer meeting.

About five pages, in the current language: a cover (partnership, sector, region,
round, dates, the headline in short); who answered, by employer size; the
eight-dimension profile with interval whiskers and the headline numbers; how
employers compare (an unnamed spread); what employers said against what workers
report, counted across employers; reliability, differences between groups of
workers and the change since the last round (:mod:`.sector_sections`); and how the
numbers are made (:mod:`.methodology`).

It is put on a table in front of employers, so **no employer is named anywhere in
it**: the spread shows dots without names, gaps are counts over employers. What
each table may show is decided in :mod:`.sector_figures`. Everything else is the
staff dashboard's own formatting (:func:`surveyapp.staff.results.dashboard`, handed
in as ``page``), so the numbers read as on the page; a figure the page hides reads
"not enough responses" here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_date, format_decimal, ngettext
from reportlab.platypus import Flowable, KeepTogether, PageBreak

from ..results_view import HEADLINES, Names, by_statistic, instrument_of, score
from .brief_charts import ChartRow, profile_chart, spread_chart
from .brief_data import RoundFacts
from .brief_layout import frame_width, gap, para, render, table
from .brief_parts import interval, pairs, value_text
from .methodology import methodology
from .pdf import DocumentInfo
from .quotes_section import MAX_SECTOR_QUOTES, quotes_section
from .sector_figures import BandTable, GapCount
from .sector_sections import equity, reliability, trend
from .self_assessment_section import self_assessment_section
from .words import _, not_enough, pdf_lang, sentence


@dataclass(frozen=True)
class SectorBrief:
    """What the sector brief is made of, all read from the stored release but ``bands``."""

    facts: RoundFacts
    figures: dict[str, Any]
    #: :func:`surveyapp.staff.results.dashboard` of the release, in the current language.
    page: dict[str, Any]
    bands: BandTable
    gaps: list[GapCount]
    #: Shown employers' Job Quality Indexes, sorted, without names (none: hidden).
    spread: list[float]
    threshold: float | None
    #: Staff-approved quotes that rule 6 allows, without employer names.
    quotes: tuple[str, ...] = ()
    #: Responses an employer needs before its workers are quoted.
    quote_threshold: int = 10
    #: :func:`surveyapp.selfassessment.figures.self_assessment_figures` of the round.
    self_assessment: dict[str, Any] | None = None


def profile_rows(figures: dict[str, Any], names: Names) -> list[ChartRow]:
    sector = by_statistic(figures.get("sector") or [])
    rows = []
    for statistic in figures.get("statistics", []):
        if statistic in HEADLINES:
            continue
        found = sector.get(statistic) or {}
        shown = found.get("mean") is not None
        rows.append(
            ChartRow(
                names.dimension(statistic),
                found.get("mean") if shown else None,
                found.get("low") if shown else None,
                found.get("high") if shown else None,
            )
        )
    return rows


def _based_on(total: int | None, k: int) -> str:
    counted = ""
    if total:
        counted = ngettext("Based on %(num)d response.", "Based on %(num)d responses.", total) + " "
    return counted + _(
        "No figure comes from fewer than %(k)d responses (k). Scores run from 0 to 100; higher"
        " is always a better job.",
        k=k,
    )


def _strongest(page: dict[str, Any]) -> list[Flowable]:
    if not (page.get("strongest") and page.get("weakest")):
        return []
    return [
        para(
            _("The strongest dimension is %(name)s (%(mean)s).", **page["strongest"])
            + " "
            + _("The weakest dimension is %(name)s (%(mean)s).", **page["weakest"])
        )
    ]


def _cover(brief: SectorBrief, made: datetime, k: int, width: float) -> list[Flowable]:
    facts, page = brief.facts, brief.page
    rows = [
        (_("Sector"), facts.sector),
        (_("Region"), facts.region),
        (_("Round"), facts.wave),
    ]
    if facts.closed_on is not None:
        rows.append((_("Round closed"), format_date(facts.closed_on, "long")))
    rows.append((_("Made on"), format_date(made.date(), "long")))
    jqi = page["jqi"]
    return [
        para(_("Sector brief"), "cover-title"),
        para(facts.partnership, "cover-name"),
        gap(10),
        pairs(rows, [130, width - 130]),
        gap(14),
        para(_("In short"), "h2"),
        para(_based_on(brief.bands.total, k)),
        para(f"{jqi.label}: {value_text(jqi.mean, jqi.low, jqi.high)}"),
        *_strongest(page),
        para(
            _(
                "Employers are not named in this brief. Each employer gets its own brief, with"
                " its results against the middle of the employers in this round."
            )
        ),
    ]


def _who_answered(bands: BandTable, width: float) -> list[Flowable]:
    rows: list[list[Any]] = []
    for row in bands.rows:
        label = row.band or _("Size not given")
        count = not_enough() if row.responses is None else str(row.responses)
        rows.append([label, str(row.employers), count])
    total = not_enough() if bands.total is None else str(bands.total)
    rows.append([_("All employers"), str(bands.total_employers), total])
    header = [_("Frontline workers"), _("Employers"), _("Responses")]
    return [
        para(_("Who answered"), "h2"),
        para(_("Responses by the size of the employer (its number of frontline workers).")),
        table(header, rows, [170, 90, 140], numeric=(1, 2)),
        gap(3),
        para(
            _(
                "A count is shown only when it is at least k and nobody in the group could work"
                " out a smaller count from it by taking away their own."
            ),
            "small",
        ),
    ]


def _profile(brief: SectorBrief, rows: list[ChartRow], width: float) -> list[Flowable]:
    page = brief.page
    table_rows: list[list[Any]] = []
    for fig in page["dimensions"]:
        if fig.mean is None:
            table_rows.append([fig.label, not_enough()])
        else:
            table_rows.append([fig.label, fig.mean, interval(fig.low, fig.high)])
    at = page["at_threshold"]
    if at.mean is None:
        at_text = not_enough()
    else:
        at_text = _(
            "%(mean)s of %(count)d on average", mean=at.mean, count=page["n_dimensions"]
        ) + (f" ({_('95%% interval')} {interval(at.low, at.high)})" if at.low else "")
    jqi = page["jqi"]
    return [
        para(_("The profile: eight dimensions"), "h2"),
        para(
            _(
                "Each bar is the sector's mean score; the whisker is its 95%% interval. The"
                " dashed line is the threshold."
            )
        ),
        profile_chart(rows, width, not_enough(), brief.threshold),
        gap(8),
        table(
            [_("Dimension"), _("Mean"), _("95%% interval")],
            table_rows,
            [220, 80, 120],
            numeric=(1, 2),
        ),
        para(_("Headline numbers"), "h2"),
        pairs(
            [
                (jqi.label, value_text(jqi.mean, jqi.low, jqi.high)),
                (at.label, at_text),
            ],
            [170, width - 170],
        ),
        gap(6),
        *_strongest(page),
    ]


def _spread(brief: SectorBrief, width: float) -> list[Flowable]:
    story: list[Flowable] = [para(_("How employers compare"), "h2")]
    peers = by_statistic(brief.figures.get("peers") or []).get("jqi") or {}
    values = brief.spread
    if not values:
        story.append(para(sentence(not_enough())))
        return story
    story.append(
        para(
            _("Each dot is one employer's Job Quality Index.")
            + " "
            + _(
                "The grey band is the middle half of the employers, the black line their"
                " median. Employers are not named."
            )
        )
    )
    middle = ChartRow("", None, median=peers.get("median"), q1=peers.get("q1"), q3=peers.get("q3"))
    story.append(spread_chart(values, middle, width))
    story.append(
        para(
            _(
                "%(count)d employers with enough responses: median %(median)s, middle half"
                " %(q1)s – %(q3)s, lowest %(lowest)s, highest %(highest)s.",
                count=len(values),
                median=score(peers.get("median")),
                q1=score(peers.get("q1")),
                q3=score(peers.get("q3")),
                lowest=score(values[0]),
                highest=score(values[-1]),
            )
        )
    )
    return story


def _gap_table(gaps: Sequence[GapCount], names: Names, width: float) -> list[Flowable]:
    story: list[Flowable] = [para(_("What employers said and what workers report"), "h2")]
    if not gaps:
        story.append(
            para(
                _(
                    "Nothing to compare: no employer whose results are shown answered the"
                    " employer survey."
                )
            )
        )
        return story
    story.append(
        para(
            _(
                "Each employer's answers to the employer survey are compared with its workers'"
                " answers to the same questions. The table counts employers, without naming"
                " them: how many show a clear gap (at least 10 points and unlikely to be"
                " chance), no clear gap, or too few differing answers to test. Only employers"
                " whose results are shown are counted, and a question needs at least 3 of them."
            )
        )
    )
    rows: list[list[Any]] = []
    for found in gaps:
        item = names.item(found.item_id)
        question = names.text(item.text if item else None, found.item_id)
        if found.less is None:
            rows.append([question, not_enough()])
            continue
        counts = (found.compared, found.less, found.more, found.no_clear, found.too_few)
        rows.append([question, *(format_decimal(c, "0") for c in counts)])
    header = [
        _("Question"),
        _("Employers compared"),
        _("Clear gap: workers report less"),
        _("Clear gap: workers report more"),
        _("No clear gap"),
        _("Too few to test"),
    ]
    widths = [width - 334, 70, 66, 66, 66, 66]
    story.append(table(header, rows, widths, numeric=(1, 2, 3, 4, 5)))
    return story


def sector_brief_pdf(
    brief: SectorBrief, *, paper: str = "letter", created: datetime | None = None
) -> bytes:
    """The sector brief as PDF bytes, in the current language."""
    facts = brief.facts
    title = _("Sector brief: %(wave)s", wave=facts.wave)
    info = DocumentInfo(title=title, lang=pdf_lang(), subject=facts.partnership)
    if created is not None:
        info = dataclasses.replace(info, created=created)
    width = frame_width(paper)
    names = Names(instrument_of(brief.figures))
    k = int(brief.figures.get("k") or 0)
    story: list[Flowable] = _cover(brief, info.created, k, width)
    # Short sections are kept whole, so no heading is left at the foot of a page.
    story.append(KeepTogether(_who_answered(brief.bands, width)))
    story.append(PageBreak())
    profile = _profile(brief, profile_rows(brief.figures, names), width)
    story += [KeepTogether(profile[:3]), *profile[3:]]
    story.append(KeepTogether(_spread(brief, width)))
    story += _gap_table(brief.gaps, names, width)
    story.append(KeepTogether(reliability(brief.page, width)))
    story += equity(brief.page, width)
    # The change table may run onto the next page (its header repeats there).
    story += trend(brief.figures, brief.page, width)
    story += self_assessment_section(brief.self_assessment, width)
    unique = list(dict.fromkeys(brief.quotes))[:MAX_SECTOR_QUOTES]
    story += quotes_section(unique, brief.quote_threshold)
    story += methodology(k, brief.threshold)
    return render(info, story, paper, title)
