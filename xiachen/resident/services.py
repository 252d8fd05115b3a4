"""Light login for residents: a phone number, then a one-time six-digit code.

Codes are stored as keyed hashes, expire after five minutes, are single use and allow five
attempts. Budgets: each phone, each client address and the whole site may ask for a limited number
of codes an hour; an exhausted site budget (someone spraying numbers to run up the SMS bill or to
find registered residents) alerts the system administrators once an hour. Unknown numbers get
exactly the same answers as registered ones, at both steps: a decoy code nobody received is
stored for them, so "wrong code, N tries left" reads the same. The demo sender writes the code to
the log with the phone masked; production refuses to start with it (xiachen/ops/checks.py).
"""

import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit import services as audit
from xiachen.core.crypto import blind_index
from xiachen.core.idnumbers import parse_mobile
from xiachen.core.masking import mask_phone
from xiachen.households.models import Resident

from .models import LoginCode

logger = logging.getLogger("xiachen.resident")

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
MAX_CODES_PER_HOUR = 5  # per phone
MAX_CODES_PER_ADDRESS_PER_HOUR = 20  # a household's shared router asks for a few phones, not dozens
SITE_ALERT_EVERY = timedelta(hours=1)


class LoginError(ValueError):
    """A sign-in step that cannot succeed; the message is for the resident."""


def phone_index_of(raw: str) -> str:
    """The blind index of a typed phone number. Raises LoginError for something that is not a mobile."""
    try:
        phone = parse_mobile(raw)
    except ValueError:
        raise LoginError(_("请输入11位手机号码")) from None
    return blind_index(phone, purpose="phone")


def _hash(code_row_id: object, code: str) -> str:
    return salted_hmac("xiachen.resident.login-code", f"{code_row_id}:{code}", algorithm="sha256").hexdigest()


def log_login_code(*, resident: Resident, code: str) -> None:
    """The demo sender: the code goes to the log, the phone masked (never the full number)."""
    logger.info("resident login code for %s: %s", mask_phone(resident.phone), code)


def ip_index_of(address: str) -> str:
    """Keyed hash of a client address: enough to count requests per address, not to recover it."""
    return blind_index(address or "", purpose="login-ip")


def site_codes_per_hour() -> int:
    """The whole site's hourly budget of codes (setting XIACHEN_LOGIN_CODES_PER_HOUR)."""
    return int(getattr(settings, "XIACHEN_LOGIN_CODES_PER_HOUR", 2000))


def _check_budgets(*, phone_index: str, ip_index: str, now) -> None:
    hour_ago = now - timedelta(hours=1)
    recent = LoginCode.objects.filter(phone_index=phone_index, created_at__gte=hour_ago)
    if recent.filter(created_at__gte=now - RESEND_INTERVAL).exists():
        raise LoginError(_("验证码已发送，请 60 秒后再试"))
    if recent.count() >= MAX_CODES_PER_HOUR:
        raise LoginError(_("获取验证码过于频繁，请一小时后再试"))
    if ip_index and LoginCode.objects.filter(ip_index=ip_index, created_at__gte=hour_ago).count() >= (
        MAX_CODES_PER_ADDRESS_PER_HOUR
    ):
        raise LoginError(_("获取验证码过于频繁，请一小时后再试"))
    if LoginCode.objects.filter(created_at__gte=hour_ago).count() >= site_codes_per_hour():
        _alert_administrators(now=now)
        raise LoginError(_("系统繁忙，请稍后再试；急事请拨打社区电话"))


def _alert_administrators(*, now) -> None:
    """Tell the system administrators, at most once per SITE_ALERT_EVERY, that the site's code budget ran out."""
    from xiachen.audit.models import AuditEvent
    from xiachen.notices.services import notify

    if AuditEvent.objects.filter(action="resident.code_budget_exhausted", at__gte=now - SITE_ALERT_EVERY).exists():
        return
    audit.record(actor=None, action="resident.code_budget_exhausted", result="denied",
                 fields={"per_hour": site_codes_per_hour()})
    administrators = User.objects.filter(
        is_active=True, memberships__role=Role.SYSTEM_ADMIN, memberships__is_active=True
    ).distinct()
    notify(recipients=administrators, kind="security",
           title=_("居民登录验证码请求异常：一小时内已达上限 %(n)s 条") % {"n": site_codes_per_hour()},
           body=_("可能有人在批量试探手机号或消耗短信。已暂停发送验证码，请检查访问日志。"))


def request_code(*, phone_index: str, client_ip: str = "", now=None) -> None:
    """Send a fresh code to the resident with this phone, if there is one. Raises LoginError when the
    phone, the client address or the whole site asked too often. Earlier unused codes stop working.

    For a number no resident has, a decoy code (random, sent to nobody) is stored instead, so the
    next step answers exactly as for a registered number."""
    now = now or timezone.now()
    ip_index = ip_index_of(client_ip) if client_ip else ""
    _check_budgets(phone_index=phone_index, ip_index=ip_index, now=now)  # its alert commits even when refusing
    _store_code(phone_index=phone_index, ip_index=ip_index, now=now)


@transaction.atomic
def _store_code(*, phone_index: str, ip_index: str, now) -> None:
    resident = Resident.objects.filter(phone_index=phone_index).order_by("id").first()
    LoginCode.objects.filter(phone_index=phone_index, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = LoginCode.objects.create(
        resident=resident, phone_index=phone_index, ip_index=ip_index, code_hash="", expires_at=now + CODE_LIFETIME
    )
    LoginCode.objects.filter(pk=row.pk).update(code_hash=_hash(row.public_id, code), created_at=now)
    if resident is None:
        return  # the decoy: nobody receives this code
    audit.record(actor=None, action="resident.code_sent", target=resident)
    sender = import_string(getattr(settings, "XIACHEN_LOGIN_CODE_SENDER", "xiachen.resident.services.log_login_code"))
    transaction.on_commit(lambda: sender(resident=resident, code=code))


def verify_code(*, phone_index: str, code: str, now=None) -> Resident:
    """The resident the code belongs to. Raises LoginError (expired, used, wrong, too many attempts)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            LoginCode.objects.select_for_update()
            .filter(phone_index=phone_index)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.used_at is not None:
            raise LoginError(_("验证码已使用或已失效，请重新获取"))
        if row.expires_at <= now:
            raise LoginError(_("验证码已过期，请重新获取"))
        if row.attempts >= MAX_ATTEMPTS:
            raise LoginError(_("验证码错误次数过多，请重新获取"))
        row.attempts += 1
        # A decoy (no resident) never matches, even if someone guessed its random code.
        matched = row.resident_id is not None and hmac.compare_digest(row.code_hash, _hash(row.public_id, code.strip()))
        if matched:
            row.used_at = now
        row.save(update_fields=["attempts", "used_at", "updated_at"])
    if not matched:
        left = MAX_ATTEMPTS - row.attempts
        audit.record(actor=None, action="resident.code_failed", target=row.resident, result="denied")  # None: a decoy
        if left <= 0:
            raise LoginError(_("验证码错误次数过多，请重新获取"))
        raise LoginError(_("验证码不正确，还可以再试 %(left)d 次") % {"left": left})
    return row.resident


@transaction.atomic
def resident_user(*, resident: Resident) -> User:
    """The resident's account, created on first sign-in with a resident role on their compound."""
    user = resident.user
    if user is None:
        user = User(username=f"r-{resident.public_id.hex[:16]}", display_name=resident.name)
        user.set_unusable_password()
        user.save()
        resident.user = user
        resident.save(update_fields=["user", "updated_at"])
        audit.record(actor=None, action="resident.account_created", target=user)
    compound = resident.household.compound
    Membership.objects.get_or_create(user=user, role=Role.RESIDENT, unit=compound, defaults={"is_active": True})
    return user


def sign_in(*, request, resident: Resident) -> User:
    user = resident_user(resident=resident)
    if not user.is_active:
        raise LoginError(_("该账号已停用，请联系社区"))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    audit.record(actor=user, action="resident.signed_in", target=user, role=Role.RESIDENT)
    return user
