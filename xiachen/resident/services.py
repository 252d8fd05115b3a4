"""Light login for residents: a phone number, then a one-time six-digit code.

Codes are stored as keyed hashes, expire after five minutes, are single use and allow five
attempts; each phone may ask for a limited number of codes. The demo sender writes the code to
the log with the phone masked. Unknown numbers get the same answer as known ones.
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
MAX_CODES_PER_HOUR = 5


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


@transaction.atomic
def request_code(*, phone_index: str, now=None) -> None:
    """Send a fresh code to the resident with this phone, if there is one. Raises LoginError when the
    phone asked too often. Earlier unused codes stop working."""
    now = now or timezone.now()
    recent = LoginCode.objects.filter(phone_index=phone_index, created_at__gte=now - timedelta(hours=1))
    if recent.filter(created_at__gte=now - RESEND_INTERVAL).exists():
        raise LoginError(_("验证码已发送，请 60 秒后再试"))
    if recent.count() >= MAX_CODES_PER_HOUR:
        raise LoginError(_("获取验证码过于频繁，请一小时后再试"))
    resident = Resident.objects.filter(phone_index=phone_index).order_by("id").first()
    LoginCode.objects.filter(phone_index=phone_index, used_at__isnull=True).update(used_at=now)
    if resident is None:
        # Record the request (for the rate limit) without a deliverable code: no enumeration of numbers.
        row = LoginCode.objects.create(phone_index=phone_index, code_hash="", expires_at=now, used_at=now)
        LoginCode.objects.filter(pk=row.pk).update(created_at=now)
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = LoginCode.objects.create(
        resident=resident, phone_index=phone_index, code_hash="", expires_at=now + CODE_LIFETIME
    )
    LoginCode.objects.filter(pk=row.pk).update(code_hash=_hash(row.public_id, code), created_at=now)
    audit.record(actor=None, action="resident.code_sent", target=resident)
    sender = import_string(getattr(settings, "XIACHEN_LOGIN_CODE_SENDER", "xiachen.resident.services.log_login_code"))
    transaction.on_commit(lambda: sender(resident=resident, code=code))


def verify_code(*, phone_index: str, code: str, now=None) -> Resident:
    """The resident the code belongs to. Raises LoginError (expired, used, wrong, too many attempts)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            LoginCode.objects.select_for_update()
            .filter(phone_index=phone_index, resident__isnull=False)
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
        matched = hmac.compare_digest(row.code_hash, _hash(row.public_id, code.strip()))
        if matched:
            row.used_at = now
        row.save(update_fields=["attempts", "used_at", "updated_at"])
    if not matched:
        left = MAX_ATTEMPTS - row.attempts
        audit.record(actor=None, action="resident.code_failed", target=row.resident, result="denied")
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
