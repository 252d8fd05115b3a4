"""A simulated month of activity in an existing demo city, written with raw bulk inserts.

`simulate_month` adds, for the `days` local days before the anchor date: a published deployment
round with its matches and deployments (and a login per deployed cadre), rosters with shifts and
attendance, care alerts, pass policies, signing keys and one pass per household, gate scans with
fever alerts, errands, hotline tickets, a survey per street with responses and monthly evaluations.
Everything is drawn from the seed; "now" is the anchor day's midnight (Asia/Shanghai), so states
(open, overdue, awaiting call-back) are relative to it and the data never lies in the future.

Volumes scale with `Volume`: the defaults are the Wuhan month (10 M scans, 1 M errands, 300,000
tickets); tests pass tiny numbers. Deployment counts follow the city's size instead.
"""

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.accounts.models import User
from xiachen.audit import services as audit
from xiachen.households.models import Household, Resident
from xiachen.org.models import Unit

from .bulk import uuid_hex
from .places import CITY_CODE

LOCAL = ZoneInfo("Asia/Shanghai")
Progress = Callable[[str], None]


class ActivityError(Exception):
    pass


@dataclass(frozen=True)
class Volume:
    scans: int = 10_000_000
    errands: int = 1_000_000
    tickets: int = 300_000
    survey_responses_per_compound: int = 30

    def scaled(self, factor: float) -> "Volume":
        return Volume(
            scans=round(self.scans * factor),
            errands=round(self.errands * factor),
            tickets=round(self.tickets * factor),
            survey_responses_per_compound=max(1, round(self.survey_responses_per_compound * min(1.0, factor * 10))),
        )


@dataclass
class Month:
    """The simulated days (local dates) and the moment everything is seen from."""

    first_day: date
    days: int

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def now(self) -> datetime:
        return local_midnight(self.first_day + timedelta(days=self.days))

    def day_start(self, index: int) -> datetime:
        return local_midnight(self.first_day + timedelta(days=index))


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL)


@dataclass
class CityIndex:
    """The parts of the city the month needs, read once with `values_list` (nothing decrypted)."""

    city: Unit
    units: dict[int, tuple[str, str, str, int | None]]  # id → (path, kind, code, parent_id)
    communities: list[int]
    compounds: list[int]
    compound_community: dict[int, int]
    districts: list[int]
    household_ids: np.ndarray
    household_compound: np.ndarray  # compound unit id per household
    household_public: list[str]
    household_head: np.ndarray  # the first resident of each household
    household_size: np.ndarray
    users: dict[str, int]  # demo username → id
    community_staff: dict[int, list[int]] = field(default_factory=dict)  # community → on-duty user ids
    gate_staff: dict[int, list[int]] = field(default_factory=dict)  # community → gate-duty user ids

    def path(self, unit_id: int) -> str:
        return self.units[unit_id][0]

    def district_of(self, unit_id: int) -> int:
        code = self.path(unit_id).split("/")[2]
        return next(d for d in self.districts if self.units[d][2] == code)

    def staff_of(self, community: int) -> list[int]:
        return self.community_staff.get(community) or [self.users["shegong"]]


@dataclass
class Context:
    rng: random.Random
    np_rng: np.random.Generator
    month: Month
    city: CityIndex
    volume: Volume
    progress: Progress
    # Filled in by the phases, in order: deployments, then passes.
    round: Any = None
    demands: list = field(default_factory=list)
    matches: list[tuple] = field(default_factory=list)  # (demand index, cadre row, match status)
    match_ids: list[int] = field(default_factory=list)
    user_of_cadre: dict[int, int] = field(default_factory=dict)
    pass_public: list[str] = field(default_factory=list)  # per household, as CityIndex orders them
    pass_revoked_at: Any = None  # per household: epoch seconds of the revocation, or int64 max

    def public_id(self) -> str:
        return uuid_hex(self.rng.getrandbits(128))


def load_city() -> CityIndex:
    city = Unit.objects.filter(code=CITY_CODE).first()
    if city is None:
        raise ActivityError(_("还没有演示城市：请先运行 demo_city。"))
    rows = Unit.objects.subtree_of(city).values_list("id", "path", "kind__code", "code", "parent_id")
    units = {pk: (path, kind, code, parent) for pk, path, kind, code, parent in rows}
    by_kind: dict[str, list[int]] = {}
    for pk in sorted(units, key=lambda pk: units[pk][0]):
        by_kind.setdefault(units[pk][1], []).append(pk)
    households = list(
        Household.objects.filter(compound_path__startswith=city.path)
        .order_by("id")
        .values_list("id", "compound_id", "public_id")
    )
    heads, sizes = _heads_and_sizes(city)
    usernames = ("zuzhibu", "shequ", "shegong", "rexian", "jumin")
    return CityIndex(
        city=city,
        units=units,
        communities=by_kind.get("community", []),
        compounds=by_kind.get("compound", []),
        compound_community={pk: units[pk][3] for pk in by_kind.get("compound", [])},
        districts=by_kind.get("district", []),
        household_ids=np.array([h[0] for h in households], dtype=np.int64),
        household_compound=np.array([h[1] for h in households], dtype=np.int64),
        household_public=[h[2].hex for h in households],
        household_head=np.array([heads[h[0]] for h in households], dtype=np.int64),
        household_size=np.array([sizes[h[0]] for h in households], dtype=np.int64),
        users=dict(User.objects.filter(username__in=usernames).values_list("username", "id")),
    )


def _heads_and_sizes(city: Unit) -> tuple[dict[int, int], Counter]:
    heads: dict[int, int] = {}
    sizes: Counter = Counter()
    residents = Resident.objects.filter(compound_path__startswith=city.path).order_by("id")
    for household, resident in residents.values_list("household_id", "id").iterator(chunk_size=50_000):
        heads.setdefault(household, resident)
        sizes[household] += 1
    return heads, sizes


def activity_exists(city: Unit) -> bool:
    from xiachen.deployments.models import Round

    return Round.objects.filter(name__startswith=ROUND_PREFIX).exists()


ROUND_PREFIX = "演示月度"


def simulate_month(
    *,
    seed: int,
    anchor: date,
    days: int = 30,
    volume: Volume = Volume(),
    progress: Progress = lambda message: None,
) -> dict[str, float | int]:
    """Write the month and audit it as `demo.month_simulated`; returns counts and seconds per phase.

    Raises ActivityError when there is no demo city or it already has a simulated month.
    """
    from . import activity_deployments, activity_hotline, activity_passes, activity_services, activity_volunteers
    from .services import tune_sqlite

    tune_sqlite()
    city = load_city()
    if activity_exists(city.city):
        raise ActivityError(_("演示城市已有模拟月数据：如要重建，请加 --reset。"))
    ctx = Context(
        rng=random.Random(seed * 7919 + 1),
        np_rng=np.random.default_rng(seed),
        month=Month(anchor - timedelta(days=days), days),
        city=city,
        volume=volume,
        progress=progress,
    )
    counts: Counter = Counter()
    seconds: dict[str, float] = {}
    phases = [
        ("deployments", activity_deployments.write_deployments),
        ("rosters", activity_deployments.write_rosters),
        ("passes", activity_passes.write_passes),
        ("scans", activity_passes.write_scans),
        ("errands", activity_services.write_errands),
        ("hotline", activity_hotline.write_tickets),
        ("surveys", activity_services.write_surveys),
        ("evaluations", activity_services.write_evaluations),
        ("volunteers", activity_volunteers.write_volunteers),
    ]
    for name, phase in phases:
        started = time.perf_counter()
        counts.update(phase(ctx))
        seconds[name] = round(time.perf_counter() - started, 1)
        progress(_("%(phase)s 完成，用时 %(seconds).1f 秒") % {"phase": name, "seconds": seconds[name]})
    with transaction.atomic():
        audit.record(
            actor=None,
            action="demo.month_simulated",
            target=city.city,
            fields={"seed": seed, "anchor": anchor.isoformat(), "days": days, **counts},
        )
    return {**counts, **{f"seconds.{name}": value for name, value in seconds.items()}}
