"""The gate page (mobile, offline-first) and its service worker. The page talks to /api/passes/."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import require_permission
from xiachen.field.worker import worker_response
from xiachen.passes.enums import CHECKPOINT_KINDS
from xiachen.passes.selectors import access_gate, gates_for

from .messages import gate_messages


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "gate.scan")
    return render(request, "gate/gate_index.html", {"gates": gates_for(request.user)[:200]})


@require_GET
def gate_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    gate = access_gate(request.user, public_id)
    context = {"gate": gate, "checkpoint_kinds": CHECKPOINT_KINDS.items(), "gate_messages": gate_messages()}
    return render(request, "gate/gate_page.html", context)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The one offline worker (static/offline/sw.js), served from /gate/ so its scope covers every gate page."""
    return worker_response(name="gate", scope="/gate/", files=GATE_FILES)


GATE_FILES = [
    "gate/gate.css", "gate/gate.js", "gate/verifier.js", "vendor/tweetnacl-1.0.3/nacl-fast.min.js",
    "vendor/qr-scanner-1.4.2/qr-scanner.umd.min.js", "vendor/qr-scanner-1.4.2/qr-scanner-worker-body.js",
    "vendor/qr-scanner-1.4.2/qr-scanner-worker.min.js",
]
