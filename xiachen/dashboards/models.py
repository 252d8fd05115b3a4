"""Rollup tables of the dashboards (ADR 0901). Derived data only: `rollups.py` rebuilds every row
from the source apps' tables, so these can be dropped and rebuilt at any time.

Every rollup row is keyed by a unit at a dashboard level (city, district, street/township,
community/village, agency) and a bucket, so a dashboard reads a bounded number of rows through
the unique index, whatever the size of the raw logs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.Model):
    """For every unit, one row per ancestor-or-self at a dashboard level; `is_nearest` marks the
    deepest one, where raw rows are first counted before being summed up the tree."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    ancestor = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    is_nearest = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("单位层级")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["unit", "ancestor"], name="dashboards_unitlevel_unique"),
        ]
        indexes = [models.Index(fields=["unit", "is_nearest"], name="dashboards_unitlevel_nearest")]

    def __str__(self) -> str:
        return f"{self.unit_id} ⊂ {self.ancestor_id}"


class DailyMetric(models.Model):
    """A count per unit, local day (days since 1970-01-01 in TIME_ZONE) and metric."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.IntegerField()
    metric = models.CharField(max_length=30)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("每日指标")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "metric"], name="dashboards_daily_unique"),
        ]
        indexes = [models.Index(fields=["day", "metric"], name="dashboards_daily_refresh")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.metric}={self.value}"


class HourlyMetric(models.Model):
    """A count per unit, hour (hours since the epoch, UTC) and metric: gate scans per hour."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.IntegerField()
    metric = models.CharField(max_length=30)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("每小时指标")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["unit", "hour", "metric"], name="dashboards_hourly_unique"),
        ]
        indexes = [models.Index(fields=["hour", "metric"], name="dashboards_hourly_refresh")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.hour} {self.metric}={self.value}"


class Snapshot(models.Model):
    """The current state per unit, metric and key (a post type code, a grade code, a unit id…):
    deployed cadres, demand headcount, open errands, open fever alerts, scores."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    metric = models.CharField(max_length=30)
    key = models.CharField(max_length=40, blank=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("看板快照")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["unit", "metric", "key"], name="dashboards_snapshot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.metric}[{self.key}]={self.value}"


class StageRow(models.Model):
    """Scratch rows of one refresh (counts at the nearest level, before summing up the tree).
    Emptied at the start of every step; refreshes are serialized by the RefreshState lock."""

    unit_id = models.BigIntegerField()
    bucket = models.IntegerField()
    key = models.CharField(max_length=40, blank=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("看板暂存行")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.unit_id} {self.bucket} {self.value}"


class RefreshState(models.Model):
    """Watermarks of the incremental refresh, one row per source (and `lock`, `units`)."""

    source = models.CharField(max_length=30, unique=True)
    mark = models.BigIntegerField(default=0)
    previous_mark = models.BigIntegerField(default=0)
    marked_at = models.DateTimeField(null=True, blank=True)
    previous_marked_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=100, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("看板刷新状态")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.source
