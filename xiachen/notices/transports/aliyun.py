"""Alibaba Cloud SMS (阿里云短信服务) SendSms through its documented RPC HTTP API.

Signature version 1.0 (HMAC-SHA1), as documented for RPC-style APIs: every parameter (common and
business) percent-encoded per RFC 3986, sorted by name, joined as the canonicalized query string;
StringToSign = "POST&%2F&" + percentEncode(canonicalized); Signature = Base64(HMAC-SHA1(
AccessKeySecret + "&", StringToSign)). The request is a form-encoded POST to the endpoint.
"""

import base64
import hashlib
import hmac
import json
import urllib.parse
import uuid
from datetime import UTC, datetime

from .base import TransportError, http_call

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
# Codes that mean "later": the provider's flow control (per number per minute/hour/day) and throttling.
RETRY_CODES = ("isv.BUSINESS_LIMIT_CONTROL", "Throttling", "ServiceUnavailable", "InternalError", "isp.")


def percent_encode(value: str) -> str:
    return urllib.parse.quote(str(value), safe="-_.~")


def sign(parameters: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(parameters.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Config keys: access_key_id, access_key_secret, sign_name, templates ({kind or "default" or
    "login_code": template code}), endpoint (default the public one), region (default cn-hangzhou)."""

    provider = "aliyun"

    def __init__(self, config: dict):
        self.config = config
        self.endpoint = config.get("endpoint") or DEFAULT_ENDPOINT

    def send_sms(self, *, phone: str, template: str, params: dict[str, str]) -> str:
        """Send one templated SMS; returns the BizId. Raises TransportError."""
        parameters = {
            "AccessKeyId": self.config["access_key_id"], "Action": "SendSms", "Format": "JSON",
            "RegionId": self.config.get("region", "cn-hangzhou"), "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
            "PhoneNumbers": phone, "SignName": self.config["sign_name"], "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
        }
        parameters["Signature"] = sign(parameters, self.config["access_key_secret"])
        body = urllib.parse.urlencode(parameters).encode()
        status, answer = http_call(
            self.endpoint, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        code = str(answer.get("Code", ""))
        if code == "OK":
            return str(answer.get("BizId", ""))
        retry = code.startswith(RETRY_CODES) or status >= 500
        raise TransportError(f"aliyun {code or status}: {answer.get('Message', '')}", retry=retry)
