"""钉钉 (DingTalk) custom robot webhooks with the signed-timestamp (加签) scheme, as documented:
sign = urlencode(Base64(HMAC-SHA256(key=secret, message=timestamp + "\n" + secret))), with the
timestamp in milliseconds; both go on the webhook URL. DingTalk refuses a timestamp more than an
hour off, and a robot takes at most 20 messages a minute (errcode 130101 when exceeded).
"""

import base64
import hashlib
import hmac
import time
import urllib.parse

from .base import TransportError, post_json

RETRY_ERRORS = {-1, 130101, 130102}


def signed_url(webhook: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{webhook}&timestamp={timestamp}&sign={sign}"


class DingTalkRobot:
    """Config keys: webhook (…/robot/send?access_token=…), secret (the robot's SEC… signing secret)."""

    provider = "dingtalk"

    def __init__(self, config: dict):
        self.config = config

    def send_text(self, *, text: str) -> str:
        url = signed_url(self.config["webhook"], self.config["secret"])
        _status, answer = post_json(url, {"msgtype": "text", "text": {"content": text}})
        code = int(answer.get("errcode", -1))
        if code != 0:
            raise TransportError(f"dingtalk {code}: {answer.get('errmsg', '')}", retry=code in RETRY_ERRORS)
        return ""
