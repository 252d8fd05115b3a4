"""A call-out's messages through the notification outbox (ADR 0007), in bulk: one in-app notification
per invited member with their own signed reply link, and outbox rows on the channels the member
receives on. A member who prefers 站内消息 gets the in-app message only; 短信 and 电话 members get an
SMS (the caller phones the 电话 ones from the progress list). Call-out messages pass quiet hours."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.notices.models import ChannelPreference, Notification, OutboxMessage
from xiachen.notices.preferences import channels_for, resident_only_ids

from ..enums import ContactPreference
from ..models import CallOut, CallOutInvite
from ..tokens import invite_reply_url, reply_url_base, token_for

KIND = "volunteers.call_out"
BATCH = 2000


def _when(call_out: CallOut) -> str:
    return timezone.localtime(call_out.starts_at).strftime("%m-%d %H:%M")


def invite_text(invite: CallOutInvite, url: str | None = None) -> tuple[str, str]:
    return _texts(invite.call_out)(url or invite_reply_url(invite))


def _texts(call_out: CallOut):
    """The call-out's title and a body maker for one member's reply address (formatted once)."""
    title = _("应急动员：%(title)s") % {"title": call_out.title}
    body = _("%(need)s。时间%(when)s，地点%(place)s，需要%(n)s人。请在%(deadline)s前回复：回复1或“可以”表示能参加，"
             "回复2或“不行”表示不能参加；也可打开链接回复 %(url)s") % {
        "need": call_out.need, "when": _when(call_out), "place": call_out.place or call_out.area.name,
        "n": call_out.headcount, "deadline": timezone.localtime(call_out.reply_deadline).strftime("%m-%d %H:%M"),
        "url": "\x00"}
    return lambda url: (title, body.replace("\x00", url))


def _enqueue(rows: list[tuple[int, str]], texts) -> int:
    """rows: (recipient user id, contact preference) per message, texts: (title, body, link) each."""
    user_ids = [user_id for user_id, _preference in rows]
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    residents = resident_only_ids(user_ids)
    notifications = Notification.objects.bulk_create(
        Notification(recipient_id=user_id, kind=KIND, title=title[:120], body=body, link=link[:300])
        for (user_id, _preference), (title, body, link) in zip(rows, texts, strict=True))
    outbox = []
    resident_channels = channels_for(None, None, resident_only=True)  # the same for every resident
    for (user_id, preference), notification in zip(rows, notifications, strict=True):
        if preference == ContactPreference.SITE:
            continue
        channels = resident_channels if user_id in residents else channels_for(None, preferences.get(user_id))
        outbox.extend(OutboxMessage(notification=notification, channel=channel, urgent=True) for channel in channels)
    OutboxMessage.objects.bulk_create(outbox, batch_size=BATCH)
    return len(outbox)


@transaction.atomic
def invite_all(call_out_id: int, invite_ids: list[int]) -> int:
    """The invitations' messages (after the call-out's commit). Returns the outbox rows written."""
    call_out = CallOut.objects.select_related("area").get(pk=call_out_id)
    text_for, base = _texts(call_out), reply_url_base()
    written = 0
    for start in range(0, len(invite_ids), BATCH):
        rows, texts = [], []
        for public_id, user_id, preference in (
                CallOutInvite.objects.filter(pk__in=invite_ids[start:start + BATCH], member__user__isnull=False)
                .order_by("rank").values_list("public_id", "member__user_id", "member__contact_preference")):
            url = base + token_for(public_id, call_out.reply_deadline) + "/"
            rows.append((user_id, preference))
            texts.append((*text_for(url), url))
        written += _enqueue(rows, texts)
    return written


def _tell(call_out: CallOut, invite_ids: list[int], title: str) -> None:
    def send():
        rows = list(CallOutInvite.objects.filter(pk__in=invite_ids, member__user__isnull=False).values_list(
            "member__user_id", "member__contact_preference"))
        _enqueue(rows, [(title, "", "") for _row in rows])

    if invite_ids:
        transaction.on_commit(send)


def no_longer_needed(call_out: CallOut, invite_ids: list[int]) -> None:
    _tell(call_out, invite_ids, _("「%(title)s」已满员或已结束，无需回复，谢谢") % {"title": call_out.title})


def cancelled(call_out: CallOut, invite_ids: list[int]) -> None:
    _tell(call_out, invite_ids, _("应急动员「%(title)s」已取消") % {"title": call_out.title})
