"""Per-user channel choices and quiet hours, and which channels a notification goes out on.

Channels a deployment offers are those configured in XIACHEN_CHANNELS (without any: SMS only, sent
by the demo console transport). Personal channels follow the recipient's settings (defaults:
XIACHEN_NOTICE_DEFAULT_CHANNELS); a group channel (a 企业微信 or 钉钉 robot) carries the kinds listed
in its `kinds` setting, once per announcement. Urgent kinds ignore quiet hours.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xiachen.audit import services as audit

from .enums import GROUP_CHANNELS, PERSONAL_CHANNELS, Channel
from .models import ChannelPreference

URGENT_KINDS = frozenset({"fever_alert", "episode.fever", "security", "match.no_show"})
FIELD_OF: dict[str, str] = {Channel.SMS: "by_sms", Channel.WECOM: "by_wecom", Channel.EMAIL: "by_email"}


def offered_channels() -> list[str]:
    """The personal channels this deployment can send on, in menu order."""
    configured = getattr(settings, "XIACHEN_CHANNELS", None) or {}
    if not configured:
        return [Channel.SMS]
    return [channel for channel in PERSONAL_CHANNELS if channel in configured]


def default_channels() -> list[str]:
    defaults = getattr(settings, "XIACHEN_NOTICE_DEFAULT_CHANNELS", None) or [Channel.SMS, Channel.WECOM]
    return [channel for channel in offered_channels() if channel in defaults]


def channels_for(user, preference: ChannelPreference | None, *, resident_only: bool = False) -> list[str]:
    """The personal channels `user` receives on. Residents (no staff role) receive SMS only."""
    if resident_only:
        return [channel for channel in offered_channels() if channel == Channel.SMS]
    if preference is None:
        return default_channels()
    return [channel for channel in offered_channels() if getattr(preference, FIELD_OF[channel])]


def resident_only_ids(user_ids) -> set[int]:
    """Of these users, those whose only active role is resident (one query)."""
    from xiachen.accounts.enums import Role
    from xiachen.accounts.models import Membership

    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(user_id__in=user_ids, is_active=True).values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    return {user_id for user_id, held in roles.items() if held == {Role.RESIDENT}}


def group_channels_for(kind: str) -> list[str]:
    configured = getattr(settings, "XIACHEN_CHANNELS", None) or {}
    return [c for c in GROUP_CHANNELS if c in configured and kind in (configured[c].get("kinds") or [])]


def is_urgent(kind: str) -> bool:
    return kind in URGENT_KINDS


def quiet_until(preference: ChannelPreference | None, now: datetime) -> datetime | None:
    """When the user's quiet hours end if `now` falls inside them, else None. Hours may cross midnight."""
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return None
    start, end = preference.quiet_start, preference.quiet_end
    local = timezone.localtime(now)
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if start == end or not inside:
        return None
    end_day = local.date() + timedelta(days=1) if start > end and clock >= start else local.date()
    return timezone.make_aware(datetime.combine(end_day, end), timezone.get_current_timezone())


@transaction.atomic
def save_preferences(
    *, user, channels: list[str], quiet_start: time | None, quiet_end: time | None
) -> ChannelPreference:
    """Store the user's own channel choices and quiet hours (audited, without the values)."""
    preference, _created = ChannelPreference.objects.get_or_create(user=user)
    for channel, field in FIELD_OF.items():
        setattr(preference, field, channel in channels)
    preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
    preference.save()
    audit.record(actor=user, action="notices.preferences_changed", target=user,
                 fields={"channels": sorted(channels), "quiet_hours": bool(quiet_start and quiet_end)})
    return preference
