"""The unit tree: the tenancy boundary every query is scoped by.

Each unit stores its materialized path (`/420100/420102/…/`), so a subtree is one indexed
`path LIKE 'prefix%'` query on every database.
"""

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel, Vocabulary


class UnitKind(Vocabulary):
    """city, district, street, community, compound, agency, department, station, … (docs/vocabulary.md)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("单位类型")
        verbose_name_plural = _("单位类型")


class AgencyKind(Vocabulary):
    """The kind of a sending agency (审计局, 卫健委, …); drives affinity and demo specialties."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("机关类型")
        verbose_name_plural = _("机关类型")


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(path__startswith=unit.path)

    def within_any(self, paths: list[str]) -> "UnitQuerySet":
        return self.filter(path_within(paths)) if paths else self.none()


def path_within(paths: list[str], *, field: str = "path", indexed: bool = True) -> Q:
    """`field` starts with any of `paths` (each ending in "/"); an empty list matches nothing.

    On SQLite the prefix is a range (`path >= '/a/b/' AND path < '/a/b0'`, '0' being the character
    after '/'): its LIKE is case-insensitive and has an ESCAPE clause, so it never uses an index,
    and a scoped query over millions of scans became a full scan (84 s at Wuhan scale). PostgreSQL
    keeps LIKE, which its varchar_pattern_ops indexes serve under any collation.
    `indexed=False` keeps LIKE on SQLite too, for a scope so broad (a city, a district) that the
    rows are better walked in another index's order (newest first) than found through the path.
    """
    condition = Q(pk__in=[])
    ranged = indexed and connection.vendor == "sqlite"
    for path in paths:
        if ranged and path.endswith("/"):
            condition |= Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + "0"})
        else:
            condition |= Q(**{f"{field}__startswith": path})
    return condition


class Unit(BaseModel):
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, verbose_name=_("类型"), related_name="units")
    agency_kind = models.ForeignKey(
        AgencyKind, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("机关类型"), related_name="units"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级单位")
    )
    path = models.CharField(max_length=400, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [
            models.Index(fields=["path"], name="org_unit_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="org_unit_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def build_path(self) -> None:
        """Set path and depth from the parent; call before saving a new or moved unit."""
        parent = self.parent if self.parent_id else None
        prefix = parent.path if parent is not None else "/"
        self.path = f"{prefix}{self.code}/"
        self.depth = self.path.count("/") - 2

    def ancestors(self) -> UnitQuerySet:
        codes = [code for code in self.path.strip("/").split("/")[:-1]]
        return Unit.objects.filter(code__in=codes).order_by("depth")


def is_broad_scope(paths: list[str]) -> bool:
    """Whether any path is a city or a district (`/420100/` or `/420100/420102/`): most rows match."""
    return any(path.count("/") <= 3 for path in paths)
