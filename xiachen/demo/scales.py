"""How big the demo city is at each scale."""

from dataclasses import dataclass

from xiachen.org.vocabulary import AGENCY_KINDS

ALL_AGENCY_KINDS = tuple(code for code, _zh, _en in AGENCY_KINDS)
# District branches in the order a city would have them, most common first.
BRANCH_KINDS = (
    "public_security",
    "education",
    "health",
    "civil_affairs",
    "housing",
    "market_regulation",
    "finance",
    "audit",
    "justice",
    "veterans",
)


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int
    streets: int  # streets and townships together
    communities: int
    compounds: int
    grids_per_community: int
    city_agency_kinds: tuple[str, ...]
    branch_agencies: int  # district-level branches on top of the city agencies
    cadres: int
    residents: int

    @property
    def agencies(self) -> int:
        return len(self.city_agency_kinds) + self.branch_agencies


SCALES = {
    "tiny": Scale("tiny", 2, 4, 8, 16, 1, ("audit", "health", "veterans", "civil_affairs"), 0, 50, 300),
    "small": Scale("small", 3, 12, 60, 300, 2, ALL_AGENCY_KINDS, 5, 2_000, 30_000),
    "wuhan": Scale("wuhan", 13, 160, 1_400, 7_000, 3, ALL_AGENCY_KINDS, 130, 45_000, 1_000_000),
}
