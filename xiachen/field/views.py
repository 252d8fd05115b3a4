"""The phone app of cadres and community workers (an installable PWA that works offline after the first
visit): the page, its data, the batch of offline changes, the post-QR clock-in address, the worker and
the web app manifest."""

import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.permissions import require_permission

from .handlers import HANDLERS
from .messages import app_messages
from .selectors import app_data
from .sync import MAX_BATCH, apply_changes
from .worker import worker_response

APP_FILES = ["field/app.js", "field/app.css", "field/icon.svg", "field/icon-192.png", "field/icon-512.png"]


@require_GET
def app(request: HttpRequest, token: str = "") -> HttpResponse:
    require_permission(request.user, "errands.work")
    return render(request, "field/app.html", {"messages_json": app_messages()})


@require_GET
def data(request: HttpRequest) -> JsonResponse:
    require_permission(request.user, "errands.work")
    return JsonResponse(app_data(request.user))


@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """Idempotent batch of offline changes (ADR 2001): one result per change, by client UUID."""
    require_permission(request.user, "errands.work")
    if request.content_type != "application/json":  # a form body may be read already (CSRF): a clean 415
        return HttpResponse(_("数据格式不正确"), status=415)
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError, RawPostDataException):  # RawPostData…: a form post, body already read
        return HttpResponseBadRequest(_("数据格式不正确"))
    changes = body.get("changes") if isinstance(body, dict) else None
    if not isinstance(changes, list) or len(changes) > MAX_BATCH:
        return HttpResponseBadRequest(_("一次最多同步 %(n)d 条修改") % {"n": MAX_BATCH})
    results = apply_changes(by=request.user, device_id=str(body.get("device_id") or ""), changes=changes,
                            handlers=HANDLERS)
    return JsonResponse({"results": results})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    return worker_response(name="field", scope="/field/", files=APP_FILES, fallback="/field/")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": _("下沉外勤"), "short_name": _("外勤"), "lang": "zh-CN",
        "description": _("代办送达、上门走访、住户卡片、我的班次和岗位签到，断网也能用"),
        "start_url": "/field/", "scope": "/field/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#b71c1c",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
            {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
