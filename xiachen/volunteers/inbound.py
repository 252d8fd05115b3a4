"""Replies to a call-out by SMS: the gateway posts each inbound text to our endpoint, signed like our
own webhooks (xiachen.interop.signing: `Xiachen-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`,
secret XIACHEN_SMS_INBOUND_SECRET). The body is JSON `{"from": "<phone>", "text": "<what they typed>"}`.
The text is read as 可以 or 不行 and applied to the sender's newest open invitation."""

import json
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from xiachen.interop import signing

from .enums import InviteReply, ReplyChannel

YES_WORDS = ("1", "可以", "能", "行", "好", "好的", "是", "参加", "能参加", "y", "yes", "ok")
NO_WORDS = ("2", "不行", "不能", "不", "否", "不参加", "不能参加", "n", "no")
STRIP = " \t\r\n。.!！,，~～、"


def parse_reply(text: str) -> str | None:
    """可以 (YES), 不行 (NO) or None for a text that says neither. Full-width digits and letters count;
    only the first word decides ("1 马上到" is 可以, "不行，在外地" is 不行)."""
    normal = unicodedata.normalize("NFKC", text or "").strip(STRIP).lower()
    if not normal:
        return None
    for separator in " ，,。.!！;；":
        normal = normal.split(separator, 1)[0] if separator in normal else normal
    normal = normal.strip(STRIP)
    if normal in NO_WORDS or (normal.startswith("不") and len(normal) <= 4):
        return InviteReply.NO
    if normal in YES_WORDS:
        return InviteReply.YES
    return None


def secret() -> str:
    return getattr(settings, "XIACHEN_SMS_INBOUND_SECRET", "") or ""


def authentic(body: bytes, header: str) -> bool:
    key = secret()
    return bool(key) and signing.verify(key, body, header or "")


def handle(body: bytes) -> tuple[int, str]:
    """Apply one inbound text. Returns (HTTP status, the answer text sent back to the member)."""
    from xiachen.resident.services import LoginError, phone_index_of

    from .models import Member
    from .services import VolunteerError, callouts

    try:
        payload = json.loads(body.decode("utf-8"))
        phone, text = str(payload["from"]), str(payload["text"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return 400, _("格式不正确")
    answer = parse_reply(text)
    try:
        member = Member.objects.filter(resident__phone_index=phone_index_of(phone)).order_by("-id").first()
    except LoginError:
        member = None
    invite = callouts.open_invites_of(member).first() if member else None
    if invite is None:
        return 200, _("没有待回复的动员")
    if answer is None:
        return 200, _("未能识别您的回复，请回复1（可以）或2（不行）")
    try:
        callouts.reply(invite=invite, answer=answer, channel=ReplyChannel.SMS, by=member.user)
    except VolunteerError as refusal:
        return 200, str(refusal)
    return 200, _("已收到您的回复：%(reply)s") % {"reply": InviteReply(answer).label}
