"""The sector brief's last page: how the numbers are made, in plain words.

The same account as the README's "How scores are computed" and MEASUREMENT.md,
cut to what someone at an employer meeting needs: where a score comes from, what
n and k mean, and why some figures read "not enough responses".
"""

from __future__ import annotations

from flask_babel import format_decimal
from reportlab.platypus import Flowable

from .brief_layout import para
from .words import _


def methodology(k: int, threshold: float | None) -> list[Flowable]:
    line = format_decimal(50 if threshold is None else threshold, "0.##")
    paragraphs = [
        _(
            "Workers answered on their phones, without giving their name. Each answer becomes"
            " a score from 0 to 100, and a higher score always means a better job: questions"
            " about something bad are turned around. “Not sure”, “Prefer not to say” and"
            " questions left blank are left out, never counted as zero."
        ),
        _(
            "A worker's score on a dimension is the average of their answers to its questions,"
            " when they answered at least half of them. The Job Quality Index is the average of"
            " the eight dimension scores, each counting the same, when at least six of them are"
            " scored. “Dimensions at threshold” counts the dimensions that score %(line)s or"
            " more.",
            line=line,
        ),
        _(
            "Each figure is an average over workers, with a 95%% interval: the range the true"
            " average very likely lies in, given how many workers answered and how much their"
            " answers differed. Sector figures count each employer as one unit, because workers"
            " at one workplace tend to answer alike."
        ),
        _(
            "n is the number of responses behind a figure. k is the fewest responses any figure"
            " shown outside the partnership's staff may come from: %(k)d in this round. With"
            " fewer, a figure could point to one person's answers.",
            k=k,
        ),
        _(
            "Why some figures are hidden: a figure from fewer than k responses reads “not enough"
            " responses”. A figure with enough responses can be hidden too, when it and the"
            " figures shown would let someone work out a hidden one by subtraction. Figures that"
            " compare employers need at least 3 employers with enough responses, and no employer"
            " may give 80%% or more of their responses. A hidden figure reads exactly like a"
            " missing one, so nobody can tell why it is missing."
        ),
        _(
            "Gaps: where the employer survey asks about the same thing as a worker question, the"
            " employer's answer is put on the same 0 to 100 scale. A clear gap is at least 10"
            " points between the employer's answer and the middle worker's, and unlikely to be"
            " chance (a Wilcoxon signed-rank test, adjusted for the number of questions). With"
            " fewer than 6 workers whose answer differs, the result is “too few to test”, which"
            " is not the same as no gap."
        ),
        _(
            "Change since the last round: how often a worker this round scores higher than a"
            " worker last round (Cliff's delta, written as a share of comparisons). Its size in"
            " words: a delta under 0.15 either way is negligible, under 0.33 small, under 0.47"
            " medium, and otherwise large."
        ),
        _(
            "Reliability: Cronbach's alpha says how consistently a dimension's questions measure"
            " one thing, from 0 to 1; below 0.70 the questions should be reviewed. Validity: how"
            " closely the Job Quality Index follows workers' answers to “Overall, this is a good"
            " job”."
        ),
    ]
    return [para(_("How the numbers are made"), "h2"), *(para(text) for text in paragraphs)]
