"""The PDF briefs and posters, each against a plain reportlab document of the same shape.

Run:  python benchmarks/bench_briefs.py            (demo data and a 200-employer wave)
      python benchmarks/bench_briefs.py --quick    (fewer repeats, a 50-employer wave)

Measured in-process on a fresh SQLite database in a temporary folder, in English:

1. **Employer brief** (the most claims of the demo's employers, and one of the
   200-employer wave): median time per document over ``--repeats``. Target: at most
   3x the floor and under 0.2 s.
2. **Sector brief** of each wave: median per document. Reported against its floor.
3. **Poster page**: ``poster_pdf`` of every switched-on link of the demo's open round,
   per page. Reported against its floor.
4. **All employer briefs of the 200-employer wave in one run**: ``surveyapp brief
   employer --all -o DIR`` in-process (app start, reading the release once, writing
   the files). Target: under 30 s.

The floor of each is built in the same run, alternating with ours call by call (so
other work on the machine slows both alike), and is a plain reportlab
document (``SimpleDocTemplate``, the standard Helvetica, no embedded font) with the
same number of pages, paragraphs (of the same texts) and charts (a reportlab
``HorizontalBarChart`` per chart; a ``QrCodeWidget`` per poster page) as the document
it stands for, counted from that document's own story.

The 200-employer wave is built as ``bench_dashboard.py`` builds it and scored with
``--resamples`` bootstrap resamples (999 by default: the intervals' precision does
not change what a brief costs to lay out). The machine is shared and noisy: compare
ratios, not milliseconds.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard import build, load_average  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.charts.barcharts import HorizontalBarChart  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib.pagesizes import LETTER  # noqa: E402
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Table,
)

Recipe = list[tuple[str, Any]]


def _walk(flowables: list[Any]) -> Recipe:
    """What a story holds, in order: ("p", text) for each paragraph, ("chart", "") for
    each drawing, and ("table", rows) for the figures a table draws as plain strings
    (its paragraph cells are listed as paragraphs before it)."""
    found: Recipe = []
    for item in flowables:
        if isinstance(item, Paragraph):
            found.append(("p", item.getPlainText()))
        elif isinstance(item, Drawing):
            found.append(("chart", ""))
        elif isinstance(item, KeepTogether):
            found += _walk(item._content)
        elif isinstance(item, Table):
            # A laid-out table holds each flowable cell as a tuple of flowables.
            rows = [[c if isinstance(c, str) else "" for c in row] for row in item._cellvalues]
            cells = [c for row in item._cellvalues for c in row if not isinstance(c, str)]
            inner = [f for c in cells for f in (c if isinstance(c, (list, tuple)) else [c])]
            found += _walk([f for f in inner if isinstance(f, Flowable)])
            if any(any(row) for row in rows):
                found.append(("table", rows))
    return found


class Shape:
    """Pages, paragraphs, charts and tables of figures of one document, from its story."""

    def __init__(self, story: list[Any], pages: int) -> None:
        self.items = _walk(story)
        self.pages = pages

    def count(self, kind: str) -> int:
        return sum(1 for item_kind, _value in self.items if item_kind == kind)

    def __str__(self) -> str:
        figures = sum(
            1 for kind, rows in self.items if kind == "table" for row in rows for c in row if c
        )
        return (
            f"{self.pages} pages, {self.count('p')} paragraphs, {self.count('chart')} charts,"
            f" {figures} figures in tables"
        )


def captured(module: Any, make: Callable[[], bytes]) -> tuple[bytes, list[Any]]:
    """``make()``'s PDF and the story its module handed to ``render``."""
    stories: list[list[Any]] = []
    real = module.render

    def spy(info, story, paper, footer):
        stories.append(list(story))
        return real(info, story, paper, footer)

    with mock.patch.object(module, "render", spy):
        data = make()
    return data, stories[0]


def _bar_chart() -> Drawing:
    drawing = Drawing(500, 180)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, 330, 150
    chart.data = [[55.0, 62.1, 48.3, 70.2, 51.0, 44.8, 66.6, 59.9, 61.2]]
    chart.categoryAxis.categoryNames = [f"Dimension {i}" for i in range(9)]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    drawing.add(chart)
    return drawing


def _qr() -> Drawing:
    widget = QrCodeWidget("https://survey.example.org/s/" + "x" * 32)
    drawing = Drawing(230, 230)
    drawing.add(widget)
    return drawing


def floor_recipe(shape: Shape) -> Recipe:
    """The floor document of ``shape``: its paragraphs, charts (bar charts, or QR codes)
    and tables of figures in order, with page breaks spread until it has as many pages.
    Worked out once, before timing."""
    items = list(shape.items)
    best: tuple[int, Recipe] | None = None
    for breaks in range(shape.pages):
        candidate = _with_breaks(items, breaks)
        miss = abs(pages_of(floor_pdf(candidate)) - shape.pages)
        if best is None or miss < best[0]:
            best = (miss, candidate)
        if miss == 0:
            break
    return best[1] if best else items


def _with_breaks(items: Recipe, breaks: int) -> Recipe:
    """``items`` with ``breaks`` page breaks spread evenly among them."""
    step = len(items) / (breaks + 1)
    at = {round(step * (i + 1)) for i in range(breaks)}
    out: Recipe = []
    for index, item in enumerate(items):
        if index in at:
            out.append(("break", ""))
        out.append(item)
    return out


def floor_pdf(recipe: Recipe) -> bytes:
    """A plain reportlab document (SimpleDocTemplate, Helvetica) made from ``recipe``."""
    # Compact type, so that a brief's paragraphs (most are table cells) fit its pages.
    body = ParagraphStyle("floor", getSampleStyleSheet()["BodyText"], fontSize=6.5, leading=7.2)
    body.spaceBefore = body.spaceAfter = 0
    story: list[Any] = []
    for kind, value in recipe:
        if kind == "p":
            story.append(Paragraph(value.replace("&", "&amp;").replace("<", "&lt;"), body))
        elif kind == "break":
            story.append(PageBreak())
        elif kind == "table":
            story.append(Table(value))
        else:
            story.append(_qr() if kind == "qr" else _bar_chart())
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=LETTER).build(story)
    return out.getvalue()


def timed(ours: Callable[[], Any], floor: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median seconds of ``ours()`` and of ``floor()`` over ``repeats`` calls each,
    alternating (after one warm-up of each), so that other work on the machine slows
    both alike rather than whichever ran while it did."""
    ours()
    floor()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for make, found in ((ours, times[0]), (floor, times[1])):
            started = time.perf_counter()
            make()
            found.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def pages_of(data: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def versus(name: str, ours: float, floor: float, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("  PASS" if ok else "  FAIL")
    print(
        f"   {name}: {ours * 1000:.1f} ms; floor {floor * 1000:.1f} ms; ratio {ours / floor:.2f}"
        f"{target}{verdict}  load {load_average()}"
    )


def close_quickly(app: Any, wave_id: int, resamples: int) -> None:
    from surveyapp.extensions import db
    from surveyapp.models import Wave
    from surveyapp.results import compute_release, store_release

    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        computed = compute_release(db.session, wave, n_resamples=resamples)
        wave.status = "closed"
        store_release(db.session, wave, computed)
        db.session.commit()


def bench_round(app: Any, wave_id: int, label: str, repeats: int) -> bool:
    """Sections 1 and 2 for one closed round; whether the employer brief met its targets."""
    from flask_babel import force_locale

    from surveyapp.employer.briefs import employer_brief
    from surveyapp.extensions import db
    from surveyapp.models import Wave
    from surveyapp.reports import employer_brief as employer_module
    from surveyapp.reports import sector_brief as sector_module
    from surveyapp.reports.brief_data import brief_source, round_employers
    from surveyapp.staff.briefs import sector_brief

    with app.app_context(), force_locale("en"):
        wave = db.session.get(Wave, wave_id)
        source = brief_source(db.session, wave)
        employers = round_employers(db.session, wave)
        # The employer with the most claims makes the longest brief.
        chosen = max(
            employers,
            key=lambda e: sum(
                g.get("claim") is not None for g in (source.entry(e.id) or {}).get("gaps", [])
            ),
        )
        data, story = captured(employer_module, lambda: employer_brief(source, chosen))
        shape = Shape(story, pages_of(data))
        recipe = floor_recipe(shape)
        floor_pages = pages_of(floor_pdf(recipe))
        print(f"\n{label}: employer brief of {chosen.name!r} ({shape}; floor: {floor_pages} pages)")
        ours, floor = timed(
            lambda: employer_brief(source, chosen), lambda: floor_pdf(recipe), repeats
        )
        ok = ours <= 3 * floor and ours < 0.2
        versus("employer brief", ours, floor, "  (target: ratio <= 3 and < 200 ms)", ok)

        data, story = captured(sector_module, lambda: sector_brief(source, db.session, wave))
        shape = Shape(story, pages_of(data))
        recipe = floor_recipe(shape)
        print(f"{label}: sector brief ({shape}; floor: {pages_of(floor_pdf(recipe))} pages)")
        ours, floor = timed(
            lambda: sector_brief(source, db.session, wave),
            lambda: floor_pdf(recipe),
            max(repeats // 2, 3),
        )
        versus("sector brief", ours, floor)
    return ok


def bench_posters(app: Any, repeats: int) -> None:
    from surveyapp.extensions import db
    from surveyapp.models import Wave
    from surveyapp.reports.poster import PosterLink, poster_pdf
    from surveyapp.reports.poster_links import active_links

    with app.app_context():
        wave = db.session.scalar(db.select(Wave).where(Wave.status == "open"))
        posters = [
            PosterLink(employer.name, wave.name, f"https://survey.example.org/s/{link.token}")
            for link, employer in active_links(db.session, wave)
        ]
    # A poster page: the names, two titles, six sentences in each language, the link's
    # lines (16 paragraphs), and its QR code.
    shape = Shape([], len(posters))
    for p in posters:
        shape.items += [("p", f"{p.employer} {p.round_name} Tell us about your job")] * 16
        shape.items.append(("qr", ""))
    count = len(posters)
    recipe = floor_recipe(shape)
    ours, floor = timed(lambda: poster_pdf(posters, k=5), lambda: floor_pdf(recipe), repeats)
    ours, floor = ours / count, floor / count
    print(
        f"\nposters: {count} pages of the demo's open round"
        f" (floor: {pages_of(floor_pdf(recipe))} pages, {shape.count('p')} paragraphs,"
        f" {count} QR codes)"
    )
    versus("per poster page", ours, floor)


def bench_all(app: Any, wave_id: int, employers: int) -> bool:
    from click.testing import CliRunner

    from surveyapp.cli import main as cli_main

    folder = Path(tempfile.mkdtemp(prefix="bench-briefs-all-"))
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    started = time.perf_counter()
    result = CliRunner().invoke(
        cli_main, ["brief", "employer", "--wave", str(wave_id), "--all", "-o", str(folder)], env=env
    )
    took = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    written = len(list(folder.iterdir()))
    ok = took < 30
    print(
        f"\n4. all {written} employer briefs of the {employers}-employer wave in one run"
        f" (surveyapp brief employer --all): {took:.1f} s (target < 30 s)"
        f"  {'PASS' if ok else 'FAIL'}  load {load_average()}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--employers", type=int, default=200)
    parser.add_argument("--per-employer", type=int, default=100)
    parser.add_argument("--resamples", type=int, default=999)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    if args.quick:
        args.employers, args.per_employer, args.repeats = 50, 60, 5

    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.demo import create_demo
    from surveyapp.extensions import db
    from surveyapp.models import Wave

    def fresh_app() -> Any:
        # Each app its own database: bench_dashboard's build() fills every employer
        # in the database with responses, so the demo's employers must not be there.
        folder = Path(tempfile.mkdtemp(prefix="bench-briefs-"))
        os.environ["SURVEYAPP_INSTANCE_PATH"] = str(folder)
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"}
        made = create_app(
            {**config, "RATELIMIT_ENABLED": False, "SECRET_KEY": secrets.token_hex(32)}
        )
        with made.app_context():
            upgrade()
        return made

    print(f"load average before: {load_average()} (2 shared cores: figures are noisy)")
    started = time.perf_counter()
    demo = fresh_app()
    with demo.app_context():
        create_demo()
        demo_wave = db.session.scalar(
            db.select(Wave.id).where(Wave.status == "closed").order_by(Wave.closes_on.desc())
        )
    print(f"demo data in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    app = fresh_app()
    big = build(app, args.employers, args.per_employer)
    close_quickly(app, big, args.resamples)
    print(
        f"{args.employers} employers x {args.per_employer} responses built and closed"
        f" ({args.resamples} resamples) in {time.perf_counter() - started:.1f} s"
    )

    results = [
        bench_round(demo, demo_wave, "1-2. demo", args.repeats),
        bench_round(app, big, f"1-2. {args.employers}-employer wave", args.repeats),
    ]
    bench_posters(demo, args.repeats)
    results.append(bench_all(app, big, args.employers))
    print(f"\n{'PASS' if all(results) else 'FAIL'}: every target")


if __name__ == "__main__":
    main()
