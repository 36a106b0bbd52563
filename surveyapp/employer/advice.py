""" "Where to start": a few concrete practices for each job-quality dimension.

Practices come from the frameworks in ../shared/MEASUREMENT.md section 1: the US DOL
Good Jobs Principles (2022), the National Fund for Workforce Solutions Job Design
Framework, the American Job Quality Study (2025), Eurofound's job-quality indices, the
CIPD Good Work Index, and the 14-day notice of US fair-workweek laws. They are written
in plain language for an HR lead or owner, two or three per dimension, so that the
page can point at the weakest dimensions without becoming a manual.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

#: Dimension id (worker instruments v1 and v2) -> practices, most basic first.
PRACTICES: dict[str, tuple[LazyString, ...]] = {
    "pay": (
        _l(
            "Compare your lowest hourly wage with the local living wage (the MIT Living Wage"
            " Calculator gives it by county) and set a starting wage at or above it."
        ),
        _l("Write down the pay range and the pay steps for each frontline job, and share them."),
        _l("Keep pay steady from one paycheck to the next: explain any change before it happens."),
    ),
    "benefits": (
        _l("Offer paid sick days to part-time workers as well as full-time workers."),
        _l(
            "Make sure supervisors let people use the time off they have, without making"
            " them feel they will get in trouble."
        ),
        _l(
            "Explain benefits in plain words, in each language your workers speak, when"
            " people are hired and again once a year."
        ),
    ),
    "schedule": (
        _l("Post schedules at least 14 days ahead, and keep last-minute changes rare."),
        _l("Let workers swap shifts and say which hours they can and want to work."),
        _l("Guarantee a minimum number of hours each week to workers who want them."),
    ),
    "safety": (
        _l(
            "Set up a safety committee with frontline workers on it, and tell people what"
            " was fixed after each report."
        ),
        _l("Give safety gear and safety training on paid time, before people start a task."),
        _l("Check pace and staffing, so that people can do the work without rushing."),
    ),
    "skills": (
        _l(
            "Write down the path to better-paid jobs: the skills and steps each move needs,"
            " and who to ask."
        ),
        _l(
            "Give every frontline worker paid training time each year, for example with a"
            " local training provider."
        ),
        _l("Fill supervisor jobs from inside first, with coaching for those who apply."),
    ),
    "voice": (
        _l("Hold regular meetings where workers raise problems, and report back on what changed."),
        _l(
            "Adopt a written policy against punishing people who speak up, and offer a way"
            " to raise a concern without giving a name."
        ),
        _l("Ask workers for ideas before making changes that affect their jobs."),
    ),
    "respect": (
        _l("Train supervisors to manage with respect, and hold them to it."),
        _l(
            "Check pay, promotions and discipline for fairness across groups of workers, and"
            " act on what you find."
        ),
        _l("Give people a safe way to report harassment, and act on every report."),
    ),
    "security": (
        _l("Put the pay, hours and duties of the job in writing when you hire."),
        _l(
            "Use clear, written reasons and steps before any discipline or dismissal, and"
            " apply them the same way to everyone."
        ),
        _l(
            "Hire on skills: drop degree requirements the job does not need, and move"
            " long-term temporary workers into permanent jobs."
        ),
    ),
}


def practices(dimension_id: str) -> tuple[str, ...]:
    """The practices for one dimension in the page's language (none for an unknown id)."""
    return tuple(str(p) for p in PRACTICES.get(dimension_id, ()))
