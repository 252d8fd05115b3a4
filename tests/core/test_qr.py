"""The one QR helper: a standalone SVG a browser renders (xmlns), a white quiet zone, whole pixels
per module, and the `{% qr_image %}` tag that every QR site uses (decoding is in tests/browser)."""

import base64
import re
from pathlib import Path

from django.template import Context, Template

from xiachen.core.qr import MIN_MODULE_PX, QUIET_ZONE, qr_image, qr_svg

TOKEN = "XC1ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOP"


def test_svg_is_standalone_with_a_white_quiet_zone():
    svg = qr_svg(TOKEN)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')  # without it an <img> draws nothing
    side = int(re.search(r'width="(\d+)"', svg).group(1))
    assert 'fill="#fff"' in svg  # the quiet zone is white, not the page's tint
    assert (side - 2 * QUIET_ZONE - 21) % 4 == 0  # a QR symbol (21 + 4k modules) plus the quiet zone


def test_image_is_a_whole_number_of_pixels_per_module():
    image = qr_image(TOKEN, size=240)
    svg = base64.b64decode(image.data_uri.removeprefix("data:image/svg+xml;base64,")).decode()
    modules = int(re.search(r'width="(\d+)"', svg).group(1))
    assert image.size % modules == 0 and abs(image.size - 240) <= modules
    assert qr_image(TOKEN, size=10).size == modules * MIN_MODULE_PX  # never too small to scan


def test_template_tag_renders_an_escaped_img():
    html = Template('{% load qr %}{% qr_image token alt=alt id="pass-qr" css_class="pass-qr" %}').render(
        Context({"token": TOKEN, "alt": '通行证"二维码'})
    )
    assert html.startswith('<img class="qr pass-qr" src="data:image/svg+xml;base64,')
    assert 'id="pass-qr"' in html and 'alt="通行证&quot;二维码"' in html


def test_no_qr_code_is_drawn_anywhere_else():
    """The class of bug (hand-made SVG without xmlns) cannot come back: segno is used only by core.qr."""
    root = Path(__file__).resolve().parents[2] / "xiachen"
    users = {path.relative_to(root).as_posix() for path in root.rglob("*.py") if "segno" in path.read_text("utf-8")}
    assert users == {"core/qr.py"}
