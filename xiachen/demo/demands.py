"""Demands of the demo city's receiving units, so a deployment round can be run at once."""

from datetime import timedelta

from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.org.models import Unit

# (unit kind, post type, headcount) for each receiving unit of that kind, up to the limits below.
COMMUNITY_POSTS = [("gate_duty", 2), ("temperature_check", 1), ("quarantine_service", 1), ("elderly_support", 1)]
SITE_POSTS = {"township_office": ("finance_audit_support", 1), "station": ("station_control", 3),
              "health_centre": ("temperature_check", 2)}
COMMUNITIES_WITH_DEMANDS = 12
SITES_WITH_DEMANDS = 8


def create_demo_demands(*, city: Unit, by, anchor) -> int:
    """Open demands for the first communities and receiving sites, starting a week after `anchor`."""
    post_types = {p.code: p for p in PostType.objects.all()}
    start, end = anchor + timedelta(days=7), anchor + timedelta(days=37)
    demands = []
    communities = Unit.objects.subtree_of(city).filter(kind__code="community").order_by("path")
    for community in communities[:COMMUNITIES_WITH_DEMANDS]:
        demands += [_demand(community, post_types[code], count, start, end, by) for code, count in COMMUNITY_POSTS]
    for kind, (code, count) in SITE_POSTS.items():
        for site in Unit.objects.subtree_of(city).filter(kind__code=kind).order_by("path")[:SITES_WITH_DEMANDS]:
            demands.append(_demand(site, post_types[code], count, start, end, by))
    Demand.objects.bulk_create(demands)
    return len(demands)


def _demand(unit: Unit, post_type: PostType, headcount: int, start, end, by) -> Demand:
    return Demand(unit=unit, unit_path=unit.path, post_type=post_type, headcount=headcount, start=start, end=end,
                  hazard=post_type.hazard, needs_medical=post_type.needs_medical, created_by=by,
                  notes="演示需求")


def delete_demo_deployments(city: Unit) -> None:
    """Rounds, matches and demands of the demo city, before its units and users can go."""
    Deployment.objects.filter(match__demand__unit_path__startswith=city.path).delete()
    Match.objects.filter(demand__unit_path__startswith=city.path).delete()
    Round.objects.filter(demands__unit_path__startswith=city.path).delete()
    Demand.objects.filter(unit_path__startswith=city.path).delete()
