"""Map boundaries per unit (ADR 2012): a polygon for a city, district, street or community, a point
for a compound or gate, uploaded as GeoJSON and drawn by ECharts' geo component (no tiles)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel


class Boundary(BaseModel):
    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="boundary",
                                verbose_name=_("单位"))
    geometry = models.JSONField(_("几何图形"))  # a GeoJSON geometry: Polygon, MultiPolygon or Point
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))

    class Meta:
        verbose_name = _("地图边界")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.unit_id)
