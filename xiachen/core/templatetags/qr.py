"""`{% qr_image content alt=… id=… size=… class=… %}`: an `<img>` of the QR code of `content` (see core.qr)."""

from django import template
from django.utils.html import format_html

from xiachen.core.qr import DEFAULT_SIZE_PX
from xiachen.core.qr import qr_image as make_qr_image

register = template.Library()


@register.simple_tag(name="qr_image")
def qr_image_tag(content, *, alt: str, id: str = "", size: int = DEFAULT_SIZE_PX, css_class: str = "") -> str:
    image = make_qr_image(str(content), size=int(size))
    return format_html(
        '<img class="qr{}" src="{}" width="{}" height="{}" alt="{}"{}>',
        f" {css_class}" if css_class else "",
        image.data_uri,
        image.size,
        image.size,
        alt,
        format_html(' id="{}"', id) if id else "",
    )
