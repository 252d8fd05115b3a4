"""The assessment metric fed by 双报到 service (ADR 1911): approved volunteer hours in the community
where the cadre lives, during the assessed service period. Its weight is set like every metric's, as
`metric:volunteer_hours` in the active scheme (考核方案); no weight, no effect on the score."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from xiachen.assessments.metrics import Provider, Service


class VolunteerHours(Provider):
    code, label = "volunteer_hours", _("社区志愿服务时长")
    default_target = Decimal(20)  # hours that earn full points

    def raw(self, service: Service) -> Decimal | None:
        from .feedback import member_hours

        if service.start is None or service.end is None:
            return None
        return member_hours(service.cadre_id, service.start, service.end)
