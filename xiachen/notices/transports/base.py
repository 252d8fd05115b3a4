"""What every transport shares: the errors that tell the outbox to retry or give up, and HTTP calls.

A transport's `send(message)` returns the provider's message id (or "") when the provider accepted
the message and raises `TransportError` when it did not. `retry=True` means "try again later"
(network trouble, the provider's rate limit, an expired token that could not be refreshed);
`retry=False` means the same request will never succeed (an invalid number, a template the provider
rejects). `NoAddress` means the recipient has no address on this channel: nothing to send.

Error texts name the provider's code and message only: never the phone number, the address, the
request or a secret, because the text is stored on the outbox row and shown to administrators.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from xiachen.core.masking import mask_phone

TIMEOUT_SECONDS = 10


MOBILE = re.compile(r"1[3-9]\d{9}")


class TransportError(Exception):
    def __init__(self, text: str, *, retry: bool, retry_after: float | None = None):
        # A provider might echo the number back in its message: the stored text never carries it.
        super().__init__(MOBILE.sub(lambda match: mask_phone(match.group()), text)[:200])
        self.retry = retry
        self.retry_after = retry_after


class NoAddress(Exception):
    """The recipient has no phone, e-mail or account on this channel."""


def http_call(
    url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
    ssl_context=None,
) -> tuple[int, dict]:
    """One HTTP request; returns (status, JSON body). Network failures and non-JSON bodies raise a
    retryable TransportError; an HTTP error status with a JSON body is returned for the caller to read."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise TransportError("unsupported endpoint scheme", retry=False)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=ssl_context) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise TransportError(f"network: {type(error).__name__}", retry=True) from None
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        raise TransportError(f"HTTP {status}: not a JSON answer", retry=status >= 500 or status == 429) from None


def post_json(url: str, body: dict, *, headers: dict | None = None) -> tuple[int, dict]:
    payload = json.dumps(body, ensure_ascii=False).encode()
    return http_call(url, data=payload, headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
