"""The printable pass card (PDF, name masked) and the QR image: the QR content is exactly the token."""

import base64

import segno
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from xiachen.core.masking import mask_name

from .models import Pass


def qr_data_uri(token: str) -> str:
    svg = segno.make(token, error="m", boost_error=False).svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def card_context(issued: Pass) -> dict:
    return {"pass": issued, "name": mask_name(issued.resident.name), "qr": qr_data_uri(issued.token)}


def pass_card_pdf(issued: Pass) -> bytes:
    html = render_to_string("passes/pass_card_pdf.html", card_context(issued))
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
