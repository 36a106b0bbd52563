"""QR codes for survey links, drawn with reportlab's own QR widget.

The staff console shows them as inline SVG and the PDF posters draw the same
``Drawing``. reportlab's SVG gives every module its own ``<rect style=...>``; the
page's Content-Security-Policy refuses inline styles (style-src 'self'), and sixty
kilobytes a code is a lot, so :func:`qr_svg` redraws the same dark modules as one
path in module units: a few kilobytes, no style attributes, crisp at any size.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

#: reportlab's rect elements: position and size, then a style naming the fill.
_RECT = re.compile(
    r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" style="[^"]*fill: ([^;"]+)'
)
_DARK = "rgb(0%,0%,0%)"


def qr_drawing(data: str, size: float = 90.0) -> Drawing:
    """A ``size`` x ``size`` point drawing of the QR code for ``data``, quiet zone included.

    Error correction level M (15%): a poster with a bit of wear still scans.
    """
    widget = QrCodeWidget(data, barLevel="M", barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def qr_svg(data: str, label: str = "") -> Markup:
    """The QR code for ``data`` as an inline ``<svg>`` element scaled by CSS.

    :param label: the accessible name of the image (e.g. "QR code for the survey
        link of Acme"); without one the image is hidden from screen readers.
    """
    widget = QrCodeWidget(data, barLevel="M")
    size = float(widget.barWidth)
    drawing = Drawing(size, size)
    drawing.add(widget)
    rects = _RECT.findall(renderSVG.drawToString(drawing))
    modules = widget.qr.getModuleCount() + 2 * widget.barBorder
    unit = size / modules
    path = []
    for x, y, width, height, fill in rects:
        if fill.strip() != _DARK:
            continue
        # reportlab measures y from the bottom; SVG from the top.
        left, top = round(float(x) / unit), modules - round((float(y) + float(height)) / unit)
        across, down = round(float(width) / unit), round(float(height) / unit)
        path.append(f"M{left} {top}h{across}v{down}h-{across}z")
    hidden = ' aria-hidden="true" focusable="false"'
    name = f' role="img" aria-label="{escape(label)}"' if label else hidden
    return Markup(  # noqa: S704 - numbers we computed and an escaped label
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {modules} {modules}"'
        f'{name} shape-rendering="crispEdges"><rect width="{modules}" height="{modules}" '
        f'fill="#fff"/><path fill="#000" d="{"".join(path)}"/></svg>'
    )
