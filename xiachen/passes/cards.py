"""The printable pass card (PDF, name masked); its QR code (drawn by `{% qr_image %}`) is exactly the token."""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from xiachen.core.masking import mask_name

from .models import Pass


def card_context(issued: Pass) -> dict:
    return {"pass": issued, "name": mask_name(issued.resident.name)}


def pass_card_pdf(issued: Pass) -> bytes:
    html = render_to_string("passes/pass_card_pdf.html", card_context(issued))
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
