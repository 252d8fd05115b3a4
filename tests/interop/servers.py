"""Real HTTP servers on 127.0.0.1 for the integration tests, each in a thread of the test process.

`Receiver` is a webhook receiver that checks each request the way docs/howto/integration-api.md
tells integrators to (written here from the documentation, not with xiachen's own code) and answers
as told per path: 2xx, an error status, or silence beyond the sender's timeout. `Open311Platform` is
a city platform speaking GeoReport v2: it takes form-encoded POSTs to /requests.json (checking the
api_key) and answers GET /requests.json?service_request_id=… with the statuses the test sets.
"""

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


def documented_check(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """The receiver's check from the documentation: parse t and v1, HMAC-SHA256 over "t.body", compare
    in constant time, refuse a timestamp more than 5 minutes off."""
    fields = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not fields.get("t", "").isdigit() or abs(time.time() - int(fields["t"])) > tolerance:
        return False
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass
class Receiver:
    port: int = 0
    secrets: dict = field(default_factory=dict)  # path → signing secret
    answers: dict = field(default_factory=dict)  # path → list of statuses to answer in turn ("slow": no answer)
    received: list = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str, secret: str, *answers) -> None:
        self.secrets[path], self.answers[path] = secret, list(answers)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


def _receiver_handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            secret = receiver.secrets.get(self.path, "")
            ok = documented_check(secret, body, self.headers.get("Xiachen-Signature", ""))
            receiver.received.append(Received(self.path, dict(self.headers), body, ok))
            queue = receiver.answers.get(self.path) or [200]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            if answer == "slow":
                time.sleep(1.0)  # longer than the tests' sender timeout
                answer = 200
            status = answer if ok else 401
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "refused"}')

        def log_message(self, *args):
            pass

    return Handler


@dataclass
class Open311Platform:
    port: int = 0
    api_key: str = "city-key-123"
    posts: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)  # service_request_id → (status, notes)
    fail_next: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2"


def _platform_handler(platform: Open311Platform):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, data) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(data, ensure_ascii=False).encode())

        def do_POST(self):
            form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
            if platform.fail_next:
                platform.fail_next -= 1
                return self._answer(503, [{"code": 503, "description": "busy"}])
            if not self.path.endswith("/requests.json") or form.get("api_key") != platform.api_key:
                return self._answer(403, [{"code": 403, "description": "bad api_key"}])
            platform.posts.append(form)
            remote_id = f"C{len(platform.posts):04d}"
            platform.statuses[remote_id] = ("open", "")
            return self._answer(201, [{"service_request_id": remote_id, "service_notice": ""}])

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            ids = dict(urllib.parse.parse_qsl(url.query)).get("service_request_id", "").split(",")
            found = [{"service_request_id": i, "status": platform.statuses[i][0],
                      "status_notes": platform.statuses[i][1]} for i in ids if i in platform.statuses]
            return self._answer(200, found)

        def log_message(self, *args):
            pass

    return Handler


def start(handler_factory, state):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_factory(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
