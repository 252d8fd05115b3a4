"""The one way to draw a QR code in xiachen: a standalone SVG that every browser (and WeasyPrint) renders.

Every QR site (resident pass, staff pass detail and PDF card, survey link, roster sign-in code, arrival
code, authenticator set-up) goes through `qr_image`, usually via the `{% qr_image %}` template tag.

Why this shape:
- The SVG carries `xmlns`: an `<img>` given an SVG without it shows nothing (naturalWidth 0), which is
  how every on-screen QR code once broke while the PDF card still worked.
- A quiet zone of four modules (the minimum ISO/IEC 18004 asks for), so phone cameras and zbar find
  the code even on a busy page.
- The displayed size is a whole number of CSS pixels per module, close to the requested size but
  never below 3 px a module: no blurred module edges for a camera to misread.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import segno

QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004 minimum)
MIN_MODULE_PX = 3
DEFAULT_SIZE_PX = 240


@dataclass(frozen=True)
class QrImage:
    """A QR code ready for `<img src=… width=… height=…>`: `size` is the displayed side in CSS pixels."""

    content: str
    data_uri: str
    size: int


def _code(content: str) -> segno.QRCode:
    return segno.make(content, error="m", boost_error=False)


def qr_svg(content: str) -> str:
    """A standalone SVG (with `xmlns`, one unit a module, quiet zone included) encoding `content` exactly."""
    return _svg(_code(content))


def _svg(code: segno.QRCode) -> str:
    buffer = io.BytesIO()
    # A white background: on a tinted page a transparent quiet zone is no quiet zone for a camera.
    code.save(buffer, kind="svg", scale=1, border=QUIET_ZONE, light="#fff", xmldecl=False, svgns=True, nl=False)
    return buffer.getvalue().decode()


def qr_image(content: str, *, size: int = DEFAULT_SIZE_PX) -> QrImage:
    """The QR code of `content` as a base64 SVG data URI, to be shown about `size` CSS pixels wide."""
    code = _code(content)
    svg = _svg(code)
    modules = int(code.symbol_size(scale=1, border=QUIET_ZONE)[0])
    per_module = max(MIN_MODULE_PX, round(size / modules))
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return QrImage(content=content, data_uri=data_uri, size=modules * per_module)
