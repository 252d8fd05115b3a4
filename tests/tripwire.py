"""The PII tripwire (SECURITY.md): no full ID number or phone in any response or log line of the suite.

Active in the test settings for every test. A response that deliberately reveals a value (the
audited "show" action) marks itself with `reveals_personal_data = True`.
"""

import logging
import re

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
SCANNED_TYPES = ("text/", "application/json", "application/javascript")


class PersonalDataLeak(AssertionError):
    pass


def find_personal_data(text: str) -> list[str]:
    return ID_NUMBER.findall(text) + MOBILE.findall(text)


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
        if response.get("Content-Type", "").startswith(SCANNED_TYPES):
            found = find_personal_data(response.content.decode(errors="replace"))
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
