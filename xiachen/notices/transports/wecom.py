"""企业微信 (WeCom): application messages to staff, and group robot webhooks.

Application messages (documented server API): `gettoken?corpid=&corpsecret=` gives an access token
valid for `expires_in` seconds (7200); it is cached in the database for every worker and refreshed
five minutes early, and once more whenever the API answers 40014 (invalid) or 42001 (expired).
`message/send?access_token=` takes {"touser", "msgtype": "text", "agentid", "text"}; a user it
could not reach comes back in `invaliduser`. Our users map to WeCom user ids by their mobile number
(`user/getuserid`, looked up once and kept on their channel settings) or by username.

Group robots: POST the message to the robot's webhook URL (its `key` is the secret); 45009 is the
robot's limit of 20 messages a minute.
"""

from datetime import timedelta

from django.utils import timezone

from .base import NoAddress, TransportError, http_call, post_json

DEFAULT_ENDPOINT = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = {40014, 42001}
RETRY_ERRORS = {-1, 45009, 45033, 45047}  # system busy; API rate limits
EARLY_REFRESH = timedelta(minutes=5)


def _raise_for(answer: dict, what: str) -> None:
    code = int(answer.get("errcode", -1))
    if code != 0:
        raise TransportError(f"wecom {what} {code}: {answer.get('errmsg', '')}", retry=code in RETRY_ERRORS)


class WeComApp:
    """Config keys: corp_id, corp_secret, agent_id, endpoint (default the public one), userid_from
    ("mobile", the default, or "username")."""

    provider = "wecom"

    def __init__(self, config: dict):
        self.config = config
        self.endpoint = (config.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/")
        self.cache_key = f"wecom:{config['corp_id']}:{config['agent_id']}"

    def access_token(self, *, refresh: bool = False) -> str:
        from xiachen.notices.models import AccessToken

        now = timezone.now()
        cached = AccessToken.objects.filter(key=self.cache_key, expires_at__gt=now + EARLY_REFRESH).first()
        if cached and not refresh:
            return cached.token
        query = f"corpid={self.config['corp_id']}&corpsecret={self.config['corp_secret']}"
        _status, answer = http_call(f"{self.endpoint}/cgi-bin/gettoken?{query}")
        _raise_for(answer, "gettoken")
        AccessToken.objects.update_or_create(key=self.cache_key, defaults={
            "token": answer["access_token"], "expires_at": now + timedelta(seconds=int(answer.get("expires_in", 7200))),
        })
        return answer["access_token"]

    def call(self, path: str, body: dict) -> dict:
        """POST to a token-authenticated API, refreshing the token once on 40014/42001."""
        for refresh in (False, True):
            token = self.access_token(refresh=refresh)
            _status, answer = post_json(f"{self.endpoint}/cgi-bin/{path}?access_token={token}", body)
            if int(answer.get("errcode", -1)) not in TOKEN_ERRORS:
                return answer
        raise TransportError(f"wecom {path} {answer.get('errcode')}: token refused after refresh", retry=True)

    def userid_by_mobile(self, phone: str) -> str:
        answer = self.call("user/getuserid", {"mobile": phone})
        if int(answer.get("errcode", -1)) == 46004:
            raise NoAddress("no WeCom member with this mobile (46004)")
        _raise_for(answer, "getuserid")
        return answer["userid"]

    def send_text(self, *, userid: str, text: str) -> str:
        """Send a text message to one member; returns the msgid. Raises TransportError."""
        answer = self.call("message/send", {
            "touser": userid, "msgtype": "text", "agentid": int(self.config["agent_id"]),
            "text": {"content": text}, "safe": 0,
        })
        _raise_for(answer, "message/send")
        if answer.get("invaliduser"):
            raise TransportError("wecom message/send: recipient is not a member of the application", retry=False)
        return str(answer.get("msgid", ""))


class WeComRobot:
    """Config key: webhook (the robot's full URL including its key)."""

    provider = "wecom_robot"

    def __init__(self, config: dict):
        self.config = config

    def send_text(self, *, text: str) -> str:
        _status, answer = post_json(self.config["webhook"], {"msgtype": "text", "text": {"content": text}})
        _raise_for(answer, "webhook")
        return ""
