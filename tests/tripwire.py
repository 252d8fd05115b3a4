"""The PII tripwire (docs/security.md): no full ID number or phone in any response or log line of the suite.

Active in the test settings for every test. Text, JSON and JavaScript responses are scanned as they
are; spreadsheets (xlsx) are read cell by cell with openpyxl, every sheet, hidden ones included; PDFs
are turned into text with poppler's `pdftotext`. A response that deliberately reveals a value (the
audited "show" action) marks itself with `reveals_personal_data = True`.
"""

import io
import logging
import re
import subprocess

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
SCANNED_TYPES = ("text/", "application/json", "application/javascript")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


class PersonalDataLeak(AssertionError):
    pass


def find_personal_data(text: str) -> list[str]:
    """Full ID numbers and mobile numbers in `text`, except the documented template samples."""
    from xiachen.core.idnumbers import EXAMPLE_ID_NUMBER, EXAMPLE_MOBILE

    found = ID_NUMBER.findall(text) + MOBILE.findall(text)
    return [value for value in found if value not in (EXAMPLE_ID_NUMBER, EXAMPLE_MOBILE)]


def spreadsheet_text(content: bytes) -> str:
    """Every cell of every sheet (hidden ones too), one per line, so a value cannot hide in a sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    lines = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.extend(str(value) for value in row if value is not None)
    workbook.close()
    return "\n".join(lines)


def pdf_text(content: bytes) -> str:
    """The PDF's text as poppler extracts it (what a reader could copy out of the file)."""
    result = subprocess.run(["pdftotext", "-q", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode(errors="replace")


def response_text(response) -> str | None:
    """The text a reader of this response sees, or None for types the tripwire does not read."""
    content_type = response.get("Content-Type", "")
    if content_type.startswith(SCANNED_TYPES):
        return response.content.decode(errors="replace")
    if content_type.startswith(XLSX_TYPE):
        return spreadsheet_text(response.content)
    if content_type.startswith(PDF_TYPE):
        return pdf_text(response.content)
    return None


class PersonalDataTripwireMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = find_personal_data(request.get_full_path())
        if found:
            raise PersonalDataLeak(f"personal data in URL {request.path}: {found}")
        response = self.get_response(request)
        if getattr(response, "reveals_personal_data", False) or getattr(response, "streaming", False):
            return response
        text = response_text(response)
        if text is not None:
            found = find_personal_data(text)
            if found:
                raise PersonalDataLeak(f"personal data in response to {request.path}: {found}")
        return response


class PersonalDataTripwireLogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not our concern here
            return
        found = find_personal_data(message)
        if found:
            raise PersonalDataLeak(f"personal data in log record {record.name}: {found}")
