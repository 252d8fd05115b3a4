"""Tencent Cloud SMS (腾讯云短信) SendSms, API 3.0, signed with TC3-HMAC-SHA256 as documented.

CanonicalRequest = "POST\n/\n\n" + canonical headers (content-type, host, x-tc-action; lowercase,
each "name:value\n") + "\n" + "content-type;host;x-tc-action" + "\n" + hex(SHA256(payload));
StringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" + date/sms/tc3_request + "\n" +
hex(SHA256(CanonicalRequest)); the key is derived HMAC("TC3"+SecretKey, date) → service →
"tc3_request", and the signature is hex(HMAC(key, StringToSign)).
"""

import hashlib
import hmac
import json
import time
import urllib.parse
from datetime import UTC, datetime

from .base import TransportError, http_call

DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com/"
SERVICE = "sms"
VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
RETRY_CODES = ("LimitExceeded", "RequestLimitExceeded", "InternalError")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, host: str, action: str, payload: bytes, timestamp: int) -> str:
    """The Authorization header for a POST of `payload` to `host` (the TC3-HMAC-SHA256 scheme)."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(payload).hexdigest()]
    )
    scope = f"{date}/{SERVICE}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


class TencentSms:
    """Config keys: secret_id, secret_key, sdk_app_id, sign_name, templates ({kind or "default" or
    "login_code": template id}), endpoint (default the public one), region (default ap-guangzhou).
    Template parameters go in the template's order: the values of `params` as given."""

    provider = "tencent"

    def __init__(self, config: dict):
        self.config = config
        self.endpoint = config.get("endpoint") or DEFAULT_ENDPOINT

    def send_sms(self, *, phone: str, template: str, params: dict[str, str]) -> str:
        """Send one templated SMS; returns the SerialNo. Raises TransportError."""
        payload = json.dumps({
            "PhoneNumberSet": [f"+86{phone}"], "SmsSdkAppId": str(self.config["sdk_app_id"]),
            "SignName": self.config["sign_name"], "TemplateId": str(template),
            "TemplateParamSet": [str(value) for value in params.values()],
        }, ensure_ascii=False).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": authorization(secret_id=self.config["secret_id"], secret_key=self.config["secret_key"],
                                           host=host, action="SendSms", payload=payload, timestamp=timestamp),
            "Content-Type": CONTENT_TYPE, "Host": host, "X-TC-Action": "SendSms", "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp), "X-TC-Region": self.config.get("region", "ap-guangzhou"),
        }
        status, answer = http_call(self.endpoint, data=payload, headers=headers)
        response = answer.get("Response", {})
        if "Error" in response:
            code = response["Error"].get("Code", "")
            raise TransportError(f"tencent {code}: {response['Error'].get('Message', '')}",
                                 retry=code.startswith(RETRY_CODES) or status >= 500)
        result = (response.get("SendStatusSet") or [{}])[0]
        code = result.get("Code", "")
        if code == "Ok":
            return str(result.get("SerialNo", ""))
        raise TransportError(f"tencent {code or status}: {result.get('Message', '')}",
                             retry=code.startswith(RETRY_CODES))
