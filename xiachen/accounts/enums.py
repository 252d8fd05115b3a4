from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_DEPARTMENT = "org_department", _("组织部")
    AGENCY_LIAISON = "agency_liaison", _("派出单位联络员")
    UNIT_MANAGER = "unit_manager", _("社区/接收单位负责人")
    CADRE = "cadre", _("下沉干部")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    HOTLINE_OPERATOR = "hotline_operator", _("热线坐席")
    RESIDENT = "resident", _("居民")
    SECURITY_AUDITOR = "security_auditor", _("审计管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


# Roles that sign in to the staff site and must present a second factor (等保三级).
STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}
