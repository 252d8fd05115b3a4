from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")


class ScanMethod(models.TextChoices):
    QR = "qr", _("扫码")
    MANUAL = "manual", _("人工核验")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待跟进")
    CLOSED = "closed", _("已处理")


class Decision(models.TextChoices):
    SERVER = "server", _("以服务器复核为准")
    DEVICE = "device", _("以现场核验为准")


class CorrectionSubject(models.TextChoices):
    REVOCATION = "revocation", _("通行证吊销")
    SCAN = "scan", _("出入记录")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


EXEMPT_GROUPS = {
    "medical_staff": _("医护人员"),
    "cadres_on_duty": _("在岗下沉干部 / 社区工作者"),
    "delivery": _("快递外卖配送"),
    "utility_repair": _("水电抢修"),
    "emergency": _("急救就医"),
}


# Who is registered at a checkpoint without a pass; the exempt groups of the pass policy plus the rest.
CHECKPOINT_KINDS = {
    "visitor": _("访客"),
    "traveller": _("返乡 / 过境人员"),
    **EXEMPT_GROUPS,
    "other": _("其他"),
}

# The verifier's verdict codes (passes.verifier) as people read them; the gate page's script gets
# the same labels through gate.messages.
SCAN_REASONS = {
    "valid": _("通过"),
    "expired": _("已过期"),
    "not_yet_valid": _("尚未生效"),
    "unknown_key": _("未知签名密钥"),
    "key_revoked": _("密钥已吊销"),
    "bad_signature": _("签名无效（伪造或被篡改）"),
    "wrong_audience": _("非本小区通行证"),
    "pass_revoked": _("通行证已吊销"),
    "truncated": _("编码不完整"),
    "oversize": _("编码过长"),
    "malformed": _("无法识别的编码"),
    "unsupported_version": _("不支持的版本"),
    "fever": _("体温异常，请引导至临时观察点"),
    "outside_hours": _("不在允许外出时段"),
    "too_frequent": _("本户外出间隔未到"),
    "not_designated": _("非本户指定外出人员"),
    "held": _("居家隔离或健康监测期间，不得外出"),
    # the two warnings: let through, shown in amber
    "held_warning": _("居家隔离或健康监测期间，请核实外出事由（已放行）"),
    "overstayed": _("超过单次外出时长返回（已放行）"),
}

# Verdicts that let the person through with a warning (verifier.PASSING_REASONS minus "valid").
WARNING_REASONS = frozenset({"held_warning", "overstayed"})

# What the gate does when a person held at home (居家隔离 / 健康监测) goes out.
HELD_ACTIONS = {"refuse": _("拒绝外出"), "warn": _("提醒并放行")}
