"""QR codes for survey links, drawn with reportlab's own QR widget.

The staff console shows them as inline SVG and the PDF posters draw the same
``Drawing``. reportlab's SVG gives every module its own ``<rect style=...>``; the
page's Content-Security-Policy refuses inline styles (style-src 'self'), and sixty
kilobytes a code is a lot, so :func:`qr_svg` draws the same dark modules, read from
reportlab's encoder, as one path in module units: a few kilobytes, no style
attributes, crisp at any size. (Rendering reportlab's SVG and reading it back cost
about 0.1 s a code: a round's page of twelve links took over a second.)
"""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby

from markupsafe import Markup, escape
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing


def qr_drawing(data: str, size: float = 90.0) -> Drawing:
    """A ``size`` x ``size`` point drawing of the QR code for ``data``, quiet zone included.

    Error correction level M (15%): a poster with a bit of wear still scans.
    """
    widget = QrCodeWidget(data, barLevel="M", barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def _modules(data: str) -> tuple[int, str]:
    """The side of the code in modules (quiet zone included) and its dark modules as
    path data, one ``M x y h w v 1 h -w z`` per run of dark modules in a row."""
    widget = QrCodeWidget(data, barLevel="M")
    qr = widget.qr
    qr.make()
    border = int(widget.barBorder)
    path = []
    for row_number, row in enumerate(qr.modules):
        column = 0
        for dark, run in groupby(bool(module) for module in row):
            width = sum(1 for _ in run)
            if dark:
                path.append(f"M{column + border} {row_number + border}h{width}v1h-{width}z")
            column += width
    return qr.getModuleCount() + 2 * border, "".join(path)


#: Survey links are drawn again on every view of a round's page; their codes never
#: change, so they are kept (a link is public, unlike a second factor's secret).
_link_modules = lru_cache(maxsize=1024)(_modules)


def qr_svg(data: str, label: str = "", *, cache: bool = False) -> Markup:
    """The QR code for ``data`` as an inline ``<svg>`` element scaled by CSS.

    :param label: the accessible name of the image (e.g. "QR code for the survey
        link of Acme"); without one the image is hidden from screen readers.
    :param cache: keep the code in this process for the next view: for public
        addresses only, never for data holding a secret.
    """
    modules, path = (_link_modules if cache else _modules)(data)
    hidden = ' aria-hidden="true" focusable="false"'
    name = f' role="img" aria-label="{escape(label)}"' if label else hidden
    return Markup(  # noqa: S704 - numbers we computed and an escaped label
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {modules} {modules}"'
        f'{name} shape-rendering="crispEdges"><rect width="{modules}" height="{modules}" '
        f'fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )
