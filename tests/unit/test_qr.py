"""The console's QR code is reportlab's own, redrawn as one SVG path module for module."""

from __future__ import annotations

import re

import pytest
from reportlab.graphics.barcode.qr import QrCodeWidget

from surveyapp.qr import qr_drawing, qr_svg

URL = "https://survey.example.org/s/Zq3vX0b9m2Kp7TnLw4YcR8dJ1hUe6sAf"


def _dark_cells(svg: str) -> set[tuple[int, int]]:
    cells = set()
    for x, y, width, height in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)", svg):
        for dx in range(int(width)):
            for dy in range(int(height)):
                cells.add((int(x) + dx, int(y) + dy))
    return cells


@pytest.mark.parametrize("data", [URL, "http://127.0.0.1:5000/s/x", "a" * 300])
def test_the_svg_has_exactly_reportlabs_dark_modules_the_right_way_up(data):
    widget = QrCodeWidget(data, barLevel="M")
    widget.draw()
    qr, border = widget.qr, widget.barBorder
    count = qr.getModuleCount()
    expected = {
        (col + border, row + border)
        for row in range(count)
        for col in range(count)
        if qr.isDark(row, col)
    }
    svg = str(qr_svg(data))
    assert _dark_cells(svg) == expected
    assert f'viewBox="0 0 {count + 2 * border} {count + 2 * border}"' in svg


def test_the_svg_has_no_style_attribute_and_is_small():
    """The page's CSP refuses inline styles; one path keeps the page light."""
    svg = str(qr_svg(URL, "QR code for <Acme>"))
    assert "style=" not in svg
    assert len(svg) < 8000
    assert 'aria-label="QR code for &lt;Acme&gt;"' in svg
    assert 'aria-hidden="true"' in str(qr_svg(URL))


def test_the_drawing_for_posters_has_the_asked_size():
    drawing = qr_drawing(URL, 200)
    assert (drawing.width, drawing.height) == (200, 200)
