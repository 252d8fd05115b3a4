"""The one service worker of the offline pages (static/offline/sw.js), served from each page's own
scope with that page's list of files to keep (ADR 2001). The file names come from `static()`, so they
are the ones the page itself loads (hashed in production)."""

import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static

ENGINE_FILES = ["offline/offline.js"]


def worker_response(*, name: str, scope: str, files: list[str], fallback: str = "") -> HttpResponse:
    config = {
        "cache": f"xiachen-{name}-v4", "scope": scope, "fallback": fallback,
        "files": [static(path) for path in [*ENGINE_FILES, *files]],
    }
    found = finders.find("offline/sw.js")
    if not isinstance(found, str):  # shipped in xiachen/static: only a broken install lacks it
        raise FileNotFoundError("offline/sw.js")
    source = Path(found).read_text()
    body = f"self.XIACHEN_OFFLINE = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="application/javascript")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
