"""The dashboard's SVG charts, checked from outside: parsed as XML, geometry by hand.

The plot areas, read from surveyapp/charts.py (the viewBox is 640 wide):

* ``interval_bars``: 0 sits at x = 10 and 100 at x = 640 - 20 = 620, so the full bar is
  610 wide and a value v ends at x = 10 + 6.1 * v. Row i starts at y = 10 + 56 * i; its
  label's baseline is 20 below that (y = 30 + 56 i), its bar is 20 high starting 28 below
  (y = 38 + 56 i) and its whisker runs along the bar's middle (y = 48 + 56 i), with end caps
  8 above and below. The grid runs from y = 10 to y = 10 + 56 n; the SVG is 32 taller.
* ``strip``: 0 sits at x = 20 and 100 at x = 620, so a value v is at x = 20 + 6 * v; the
  dots (radius 9) sit at y = (10 + 70) / 2 = 40; the SVG is 70 + 32 = 102 high.

Every expected number below is computed from those formulas, never from the module.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # defusedxml is not installed; the input is our own SVG

import pytest
from markupsafe import Markup, escape

from surveyapp.charts import Bar, interval_bars, strip

NS = "{http://www.w3.org/2000/svg}"
TICKS = {"0", "25", "50", "75", "100"}
DESCRIPTION = "Sector mean score of each dimension on 0 to 100, with its interval"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - parsing the module's own output


def _all(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(NS + tag))


def _f(element: ET.Element, name: str) -> float:
    return float(element.attrib[name])


def _height(root: ET.Element) -> float:
    x, y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert (x, y, width) == (0, 0, 640)
    return height


def _segments(d: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight segments of a path made of absolute M, L, H and V commands."""
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?", d)
    assert {t for t in tokens if t.isalpha()} <= set("MLHV"), d
    segments, here, i = [], (0.0, 0.0), 0
    while i < len(tokens):
        command = tokens[i]
        if command in "ML":
            point = (float(tokens[i + 1]), float(tokens[i + 2]))
            i += 3
        else:
            value = float(tokens[i + 1])
            point = (value, here[1]) if command == "H" else (here[0], value)
            i += 2
        if command != "M":
            segments.append((here, point))
        here = point
    return segments


def _whisker(path: ET.Element) -> tuple[tuple[float, float, float], list[tuple[float, ...]]]:
    """(x from, x to, y) of the horizontal line and (x, y top, y bottom) of each end cap."""
    across, caps = [], []
    for (xa, ya), (xb, yb) in _segments(path.attrib["d"]):
        if ya == yb:
            across.append((min(xa, xb), max(xa, xb), ya))
        else:
            assert xa == xb, path.attrib["d"]
            caps.append((xa, min(ya, yb), max(ya, yb)))
    assert len(across) == 1, path.attrib["d"]
    return across[0], sorted(caps)


def _labels(root: ET.Element) -> list[ET.Element]:
    """The row labels: every <text> but the axis's tick numbers."""
    return [t for t in _all(root, "text") if t.text not in TICKS]


def _ticks(root: ET.Element) -> dict[str, float]:
    return {t.text: _f(t, "x") for t in _all(root, "text") if t.text in TICKS}


def _vertical_lines(root: ET.Element) -> list[tuple[float, float, float]]:
    lines = []
    for line in _all(root, "line"):
        assert _f(line, "x1") == _f(line, "x2")
        lines.append((_f(line, "x1"), _f(line, "y1"), _f(line, "y2")))
    return lines


def _assert_inside_viewbox(root: ET.Element) -> None:
    height = _height(root)
    points = []
    for line in _all(root, "line"):
        points += [(_f(line, "x1"), _f(line, "y1")), (_f(line, "x2"), _f(line, "y2"))]
    for rect in _all(root, "rect"):
        x, y = _f(rect, "x"), _f(rect, "y")
        assert _f(rect, "width") >= 0
        assert _f(rect, "height") >= 0
        points += [(x, y), (x + _f(rect, "width"), y + _f(rect, "height"))]
    for circle in _all(root, "circle"):
        cx, cy, r = _f(circle, "cx"), _f(circle, "cy"), _f(circle, "r")
        points += [(cx - r, cy - r), (cx + r, cy + r)]
    for path in _all(root, "path"):
        for a, b in _segments(path.attrib["d"]):
            points += [a, b]
    for text in _all(root, "text"):
        points.append((_f(text, "x"), _f(text, "y")))
    assert points
    for x, y in points:
        assert 0 <= x <= 640, (x, y)
        assert 0 <= y <= height, (x, y)


def _bar_chart(*bars: Bar, threshold: float | None = None) -> ET.Element:
    return _parse(interval_bars(list(bars), DESCRIPTION, threshold))


def _rect_on_row(root: ET.Element, row: int) -> ET.Element | None:
    rects = [r for r in _all(root, "rect") if _f(r, "y") == 38 + 56 * row]
    assert len(rects) <= 1
    return rects[0] if rects else None


CHARTS = {
    "interval_bars": lambda label: interval_bars(
        [Bar("Pay", 62.0, 55.0, 70.0), Bar("Benefits", None)], label, 60.0
    ),
    "interval_bars, empty": lambda label: interval_bars([], label),
    "strip": lambda label: strip([("Acme Care", 71.2), ("Birch Homes", 48.0)], label),
    "strip, empty": lambda label: strip([], label),
}


# Accessibility, the Content Security Policy, Markup, determinism.


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_chart_is_an_image_named_by_its_description(make):
    root = _parse(make(DESCRIPTION))
    assert root.tag == NS + "svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == DESCRIPTION
    first = root[0]
    assert first.tag == NS + "title"
    assert first.text == DESCRIPTION


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_chart_has_no_style_or_script_which_the_csp_forbids(make):
    root = _parse(make(DESCRIPTION))
    for element in root.iter():
        assert element.tag not in {NS + "style", NS + "script", NS + "foreignObject"}
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_chart_is_markup_so_templates_do_not_escape_it_again(make):
    chart = make(DESCRIPTION)
    assert isinstance(chart, Markup)
    assert escape(chart) == chart
    assert str(escape(chart)).startswith("<svg")


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_same_input_gives_the_same_svg(make):
    assert str(make(DESCRIPTION)) == str(make(DESCRIPTION))


# interval_bars: geometry.


def test_a_mean_of_50_is_half_the_full_bar():
    root = _bar_chart(Bar("Half", 50.0), Bar("Full", 100.0), Bar("Zero", 0.0))
    half, full, zero = (_rect_on_row(root, i) for i in range(3))
    # Full bar: 620 - 10 = 610 wide; 50 is 10 + 6.1 * 50 = 315, a bar 305 wide.
    assert _f(full, "width") == pytest.approx(610.0)
    assert _f(half, "width") == pytest.approx(305.0)
    assert _f(half, "width") == pytest.approx(_f(full, "width") / 2)
    assert zero is None or _f(zero, "width") == 0
    for rect in (half, full):
        assert _f(rect, "x") == pytest.approx(10.0)
        assert _f(rect, "height") == pytest.approx(20.0)


def test_bars_of_0_and_100_reach_the_ends_of_the_axis():
    root = _bar_chart(Bar("Zero", 0.0), Bar("Full", 100.0))
    ticks = _ticks(root)
    assert ticks == pytest.approx({"0": 10.0, "25": 162.5, "50": 315.0, "75": 467.5, "100": 620.0})
    gridlines = sorted({x for x, _, _ in _vertical_lines(root)})
    assert gridlines == pytest.approx([10.0, 162.5, 315.0, 467.5, 620.0])
    full = _rect_on_row(root, 1)
    assert _f(full, "x") == pytest.approx(ticks["0"])
    assert _f(full, "x") + _f(full, "width") == pytest.approx(ticks["100"])
    zero = _rect_on_row(root, 0)
    assert zero is None or _f(zero, "x") + _f(zero, "width") == pytest.approx(ticks["0"])


def test_bar_ends_at_its_value():
    # 37.5 -> 10 + 6.1 * 37.5 = 238.75, drawn to a tenth: 238.7 or 238.8.
    root = _bar_chart(Bar("Pay", 37.5))
    rect = _rect_on_row(root, 0)
    assert _f(rect, "x") + _f(rect, "width") == pytest.approx(238.75, abs=0.06)


def test_whisker_ends_sit_at_the_low_and_high_values():
    root = _bar_chart(Bar("Pay", 62.0, 40.0, 80.0))
    (path,) = _all(root, "path")
    (start, end, y), caps = _whisker(path)
    # 40 -> 10 + 6.1 * 40 = 254; 80 -> 10 + 6.1 * 80 = 498; row 0's middle is y = 48.
    assert (start, end, y) == pytest.approx((254.0, 498.0, 48.0))
    assert caps == [pytest.approx((254.0, 40.0, 56.0)), pytest.approx((498.0, 40.0, 56.0))]
    rect = _rect_on_row(root, 0)
    assert _f(rect, "y") + _f(rect, "height") / 2 == pytest.approx(y)


def test_whisker_spanning_0_to_100_ends_at_the_axis_ends():
    root = _bar_chart(Bar("Pay", 50.0, 0.0, 100.0))
    (path,) = _all(root, "path")
    (start, end, _), caps = _whisker(path)
    assert (start, end) == pytest.approx((10.0, 620.0))
    assert [x for x, _, _ in caps] == pytest.approx([10.0, 620.0])


@pytest.mark.parametrize(
    "bar", [Bar("Pay", 62.0), Bar("Pay", 62.0, 40.0, None), Bar("Pay", 62.0, None, 80.0)]
)
def test_no_whisker_without_both_ends_of_the_interval(bar):
    root = _bar_chart(bar)
    assert _all(root, "path") == []
    assert _rect_on_row(root, 0) is not None


def test_threshold_line_is_at_the_threshold_across_every_row():
    with_line = _bar_chart(Bar("Pay", 70.0), Bar("Benefits", 40.0), threshold=60.0)
    without = _bar_chart(Bar("Pay", 70.0), Bar("Benefits", 40.0))
    # 60 -> 10 + 6.1 * 60 = 376; the grid runs from y = 10 to y = 10 + 56 * 2 = 122.
    assert [ln for ln in _vertical_lines(with_line) if ln[0] == pytest.approx(376.0)] == [
        pytest.approx((376.0, 10.0, 122.0))
    ]
    assert [ln for ln in _vertical_lines(without) if ln[0] == pytest.approx(376.0)] == []
    assert len(_vertical_lines(with_line)) == len(_vertical_lines(without)) + 1


def test_threshold_line_is_told_apart_from_the_gridline_it_sits_on():
    # At 50 the threshold shares x = 315 with a gridline; it must still be drawn, differently.
    root = _bar_chart(Bar("Pay", 70.0), threshold=50.0)
    at_50 = [ln for ln in _all(root, "line") if _f(ln, "x1") == pytest.approx(315.0)]
    assert len(at_50) == 2
    assert at_50[0].attrib["stroke"] != at_50[1].attrib["stroke"]


def test_rows_stack_down_with_each_label_above_its_bar():
    root = _bar_chart(Bar("Pay", 70.0), Bar("Benefits", 40.0), Bar("Having a say", 55.0))
    assert _height(root) == pytest.approx(10 + 56 * 3 + 32)
    labels = _labels(root)
    assert [t.text for t in labels] == ["Pay", "Benefits", "Having a say"]
    for row, label in enumerate(labels):
        rect = _rect_on_row(root, row)
        assert _f(label, "y") == pytest.approx(30 + 56 * row)
        assert _f(label, "y") <= _f(rect, "y")
        assert _f(label, "x") == pytest.approx(_f(rect, "x"))
    _assert_inside_viewbox(root)


# interval_bars: hidden figures.


def _dimension_bar(label: str, mean: float, low: float, high: float, shown: bool) -> Bar:
    """As the results page builds a row: the mean goes in only when it may be shown."""
    return Bar(label, mean if shown else None, low, high)


# 73.4 -> x 10 + 6.1 * 73.4 = 457.74 (a bar 447.74 wide); 61.9 -> 387.59; 86.3 -> 536.43.
SECRET_MEAN, SECRET_LOW, SECRET_HIGH = 73.4, 61.9, 86.3
SECRET_DIGITS = ["73.4", "734", "457.7", "447.7", "61.9", "387.6", "86.3", "536.4"]


def test_hidden_figure_draws_no_bar_and_no_whisker():
    shown = _bar_chart(_dimension_bar("Pay", SECRET_MEAN, SECRET_LOW, SECRET_HIGH, True))
    hidden = _bar_chart(_dimension_bar("Pay", SECRET_MEAN, SECRET_LOW, SECRET_HIGH, False))
    assert len(_all(shown, "rect")) == 1
    assert len(_all(shown, "path")) == 1
    assert _all(hidden, "rect") == []
    assert _all(hidden, "path") == []
    assert [t.text for t in _labels(hidden)] == ["Pay"]


def test_hidden_figure_reveals_nothing_of_its_value_or_interval():
    shown = str(
        interval_bars(
            [_dimension_bar("Pay", SECRET_MEAN, SECRET_LOW, SECRET_HIGH, True)], DESCRIPTION
        )
    )
    hidden = str(
        interval_bars(
            [_dimension_bar("Pay", SECRET_MEAN, SECRET_LOW, SECRET_HIGH, False)], DESCRIPTION
        )
    )
    # The search finds the figures when they are drawn ...
    assert "447.7" in shown
    assert "387.6" in shown
    assert "536.4" in shown
    # ... and none of them, in any form, once the figure is hidden.
    for digits in SECRET_DIGITS:
        assert digits not in hidden, digits
    root = _parse(hidden)
    for element in root.iter():
        for value in [*element.attrib.values(), element.text or "", element.tail or ""]:
            for digits in SECRET_DIGITS:
                assert digits not in value
    # The interval passed with a hidden mean changes nothing at all.
    assert hidden == str(interval_bars([Bar("Pay", None)], DESCRIPTION))


def test_hidden_row_keeps_its_place_between_shown_rows():
    root = _bar_chart(
        Bar("Pay", 70.0, 60.0, 80.0),
        _dimension_bar("Benefits", SECRET_MEAN, SECRET_LOW, SECRET_HIGH, False),
        Bar("Having a say", 40.0, 30.0, 50.0),
    )
    assert [t.text for t in _labels(root)] == ["Pay", "Benefits", "Having a say"]
    assert _rect_on_row(root, 0) is not None
    assert _rect_on_row(root, 1) is None
    assert _f(_rect_on_row(root, 2), "width") == pytest.approx(6.1 * 40)
    whisker_rows = sorted(_whisker(p)[0][2] for p in _all(root, "path"))
    assert whisker_rows == pytest.approx([48.0, 48.0 + 2 * 56])


def test_all_bars_hidden_draws_labels_and_axis_only():
    root = _bar_chart(Bar("Pay", None, 10.0, 20.0), Bar("Benefits", None, 30.0, 40.0))
    assert _all(root, "rect") == []
    assert _all(root, "path") == []
    assert [t.text for t in _labels(root)] == ["Pay", "Benefits"]
    assert set(_ticks(root)) == TICKS
    _assert_inside_viewbox(root)


# interval_bars: edge inputs.


def test_no_bars_draws_an_empty_axis():
    root = _bar_chart()
    assert _all(root, "rect") == []
    assert _all(root, "path") == []
    assert _labels(root) == []
    assert set(_ticks(root)) == TICKS
    assert _height(root) == pytest.approx(10 + 32)
    _assert_inside_viewbox(root)


def test_one_bar():
    root = _bar_chart(Bar("Pay", 20.0, 10.0, 30.0))
    assert len(_all(root, "rect")) == 1
    assert len(_all(root, "path")) == 1
    assert _f(_rect_on_row(root, 0), "width") == pytest.approx(6.1 * 20)
    assert _height(root) == pytest.approx(10 + 56 + 32)
    _assert_inside_viewbox(root)


def test_values_outside_0_to_100_are_clamped_to_the_axis():
    root = _bar_chart(Bar("Over", 150.0, -20.0, 130.0), Bar("Under", -5.0), threshold=120.0)
    over, under = _rect_on_row(root, 0), _rect_on_row(root, 1)
    assert _f(over, "width") == pytest.approx(610.0)
    assert under is None or _f(under, "width") == 0
    (path,) = _all(root, "path")
    (start, end, _), caps = _whisker(path)
    assert (start, end) == pytest.approx((10.0, 620.0))
    assert [x for x, _, _ in caps] == pytest.approx([10.0, 620.0])
    threshold = [ln for ln in _all(root, "line") if ln.attrib.get("stroke-dasharray")]
    assert [_f(ln, "x1") for ln in threshold] == pytest.approx([620.0])
    _assert_inside_viewbox(root)


def test_low_above_high_still_draws_the_whisker_between_the_two_values():
    # Not refused or swapped in the data, but the drawn whisker spans 40..80 either way.
    root = _bar_chart(Bar("Pay", 60.0, 80.0, 40.0))
    (path,) = _all(root, "path")
    (start, end, y), caps = _whisker(path)
    assert (start, end, y) == pytest.approx((254.0, 498.0, 48.0))
    assert [x for x, _, _ in caps] == pytest.approx([254.0, 498.0])
    _assert_inside_viewbox(root)


# strip.


def test_strip_dots_sit_at_their_values_on_the_axis():
    points = [("Acme", 0.0), ("Birch", 37.5), ("Cedar", 50.0), ("Dale", 100.0)]
    root = _parse(strip(points, DESCRIPTION))
    assert _height(root) == pytest.approx(102.0)
    circles = _all(root, "circle")
    # x = 20 + 6 * v: 0 -> 20, 37.5 -> 245, 50 -> 320, 100 -> 620.
    assert [_f(c, "cx") for c in circles] == pytest.approx([20.0, 245.0, 320.0, 620.0])
    assert [_f(c, "cy") for c in circles] == pytest.approx([40.0] * 4)
    assert _ticks(root) == pytest.approx(
        {"0": 20.0, "25": 170.0, "50": 320.0, "75": 470.0, "100": 620.0}
    )
    assert sorted({x for x, _, _ in _vertical_lines(root)}) == pytest.approx(
        [20.0, 170.0, 320.0, 470.0, 620.0]
    )
    _assert_inside_viewbox(root)


def test_strip_dot_titles_name_each_point_and_its_value():
    root = _parse(strip([("Acme Care", 71.25), ("Birch Homes", 48.0)], DESCRIPTION))
    titles = [c.find(NS + "title").text for c in _all(root, "circle")]
    assert titles == ["Acme Care: 71.2", "Birch Homes: 48.0"]


def test_strip_with_no_points_draws_an_empty_axis():
    root = _parse(strip([], DESCRIPTION))
    assert _all(root, "circle") == []
    assert set(_ticks(root)) == TICKS


def test_strip_values_outside_0_to_100_are_clamped_to_the_axis():
    root = _parse(strip([("Over", 120.0), ("Under", -10.0)], DESCRIPTION))
    assert [_f(c, "cx") for c in _all(root, "circle")] == pytest.approx([620.0, 20.0])
    _assert_inside_viewbox(root)


# Hostile labels.

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "ampersand": "Smith & Sons &amp; &#60; &",
    "quotes": 'O\'Neil "Care" Homes',
    "attribute breakout": '" onload="alert(1)" x="',
    "element breakout": '"/><script>alert(1)</script><title x="',
    "right-to-left override": "\u202eevil\u202c Care",
    "cdata end": "]]> <!-- --> <![CDATA[",
}


@pytest.mark.parametrize("label", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_labels_come_back_as_plain_text(label):
    bars = _parse(interval_bars([Bar(label, 50.0), Bar(label, None)], label))
    dots = _parse(strip([(label, 50.0)], label))
    for root in (bars, dots):
        assert set(root.attrib) == {"class", "viewBox", "width", "role", "aria-label"}
        assert root.attrib["aria-label"] == label
        assert root[0].text == label
        assert _all(root, "script") == []
        for element in root.iter():
            assert not [n for n in element.attrib if n.lower().startswith("on")]
    assert [t.text for t in _labels(bars)] == [label, label]
    assert [c.find(NS + "title").text for c in _all(dots, "circle")] == [f"{label}: 50.0"]
    # The label stays inside the elements that carry it: the drawing around it is unchanged.
    plain = _parse(interval_bars([Bar("Pay", 50.0), Bar("Pay", None)], "Pay"))
    assert [e.tag for e in bars.iter()] == [e.tag for e in plain.iter()]


@pytest.mark.parametrize("label", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_labels_are_escaped_in_the_markup(label):
    svg = str(interval_bars([Bar(label, 50.0)], label)) + str(strip([(label, 50.0)], label))
    assert "<script" not in svg
    assert not re.search(r"\sonload\s*=\s*[\"']", svg)
    assert not re.search(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)", svg)


def test_right_to_left_override_stays_inside_its_own_label():
    label = "\u202eevil\u202c Care"
    root = _parse(interval_bars([Bar(label, 50.0), Bar("Pay", 40.0)], DESCRIPTION))
    carrying = [e for e in root.iter() if "\u202e" in (e.text or "") or "\u202e" in (e.tail or "")]
    assert carrying == [_labels(root)[0]]
    assert not [v for e in root.iter() for v in e.attrib.values() if "\u202e" in v]


def test_a_10000_character_label_is_kept_whole_and_moves_nothing():
    # charts.py neither truncates nor wraps: the label is one <text>, the layout is fixed.
    long = ("Respect and fair treatment " * 400)[:10_000]
    assert len(long) == 10_000
    root = _parse(interval_bars([Bar(long, 50.0, 40.0, 60.0)], long, 60.0))
    short = _parse(interval_bars([Bar("Pay", 50.0, 40.0, 60.0)], "Pay", 60.0))
    assert root.attrib["aria-label"] == long
    assert root[0].text == long
    (text,) = _labels(root)
    assert text.text == long
    assert list(text) == []
    assert root.attrib["viewBox"] == short.attrib["viewBox"]
    for tag in ("rect", "path", "line"):
        assert [e.attrib for e in _all(root, tag)] == [e.attrib for e in _all(short, tag)]
    assert text.attrib == _labels(short)[0].attrib

    dots = _parse(strip([(long, 50.0)], long))
    assert [c.find(NS + "title").text for c in _all(dots, "circle")] == [f"{long}: 50.0"]
