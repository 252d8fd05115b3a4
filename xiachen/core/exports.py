from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str, *, reveals_personal_data: bool = False) -> HttpResponse:
    """A download of `content`; `reveals_personal_data` marks an audited, unmasked export as deliberate."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.reveals_personal_data = reveals_personal_data  # type: ignore[attr-defined]  # a marker tests/tripwire.py reads
    return response
