"""The demo city command at tiny scale: shape, valid identities, logins, determinism, refusal."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit.models import AuditEvent
from xiachen.cadres.models import Cadre
from xiachen.core.idnumbers import parse_id_number
from xiachen.households.models import Household, Resident
from xiachen.org.models import Unit
from xiachen.org.vocabulary import AGENCY_SPECIALTIES

TINY_UNITS = {
    "city": 1,
    "district": 2,
    "street": 4,
    "community": 8,
    "compound": 16,
    "grid": 8,
    "agency": 4,
    "department": 10,
    "station": 1,
    "township_office": 4,
    "health_centre": 4,
}
EXPECTED_LOGINS = {
    "zuzhibu": (Role.ORG_DEPARTMENT, "420100"),
    "lianluo": (Role.AGENCY_LIAISON, "420100-AUDIT"),
    "shequ": (Role.UNIT_MANAGER, "420102001001"),
    "ganbu": (Role.CADRE, "420102001001"),
    "shegong": (Role.COMMUNITY_WORKER, "420102001001"),
    "rexian": (Role.HOTLINE_OPERATOR, "420100"),
    "jumin": (Role.RESIDENT, "420102001001001"),
    "shenji": (Role.SECURITY_AUDITOR, "420100"),
    "xitong": (Role.SYSTEM_ADMIN, "420100"),
}


def demo_city(seed: int = 1, *, reset: bool = False) -> str:
    output = StringIO()
    call_command("demo_city", scale="tiny", seed=seed, reset=reset, stdout=output, stderr=StringIO())
    return output.getvalue()


def city_digest() -> str:
    """A digest of everything a seed decides that a person would notice: names, codes, ID numbers."""
    digest = hashlib.sha256()
    for row in Unit.objects.order_by("code").values_list("code", "name", "path", "latitude"):
        digest.update(repr(row).encode())
    for cadre in Cadre.objects.order_by("pk").prefetch_related("specialties"):
        digest.update(
            repr(
                (cadre.name, cadre.id_number, cadre.phone, sorted(s.code for s in cadre.specialties.all()))
            ).encode()
        )
    for resident in Resident.objects.order_by("pk").select_related("household"):
        digest.update(
            repr((resident.name, resident.id_number, resident.household.room, resident.birth_date)).encode()
        )
    return digest.hexdigest()


def test_demo_city_tiny_has_the_specified_units_and_people(db):
    demo_city()
    kinds = {kind: Unit.objects.filter(kind__code=kind).count() for kind in TINY_UNITS}
    assert kinds == TINY_UNITS
    assert Unit.objects.count() == sum(TINY_UNITS.values())
    assert Cadre.objects.count() == 50
    assert Resident.objects.count() == 300
    assert all(1 <= household.residents.count() <= 5 for household in Household.objects.all())


def test_demo_city_paths_are_denormalized_as_save_would(db):
    demo_city()
    for unit in Unit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent else "/"
        assert (unit.path, unit.depth) == (f"{parent_path}{unit.code}/", unit.path.count("/") - 2)
    assert all(c.agency_path == c.agency.path for c in Cadre.objects.select_related("agency"))
    for resident in Resident.objects.select_related("household__compound"):
        assert resident.compound_path == resident.household.compound_path == resident.household.compound.path


def test_demo_city_id_numbers_are_valid_unique_and_match_birth_date_and_sex(db):
    demo_city()
    numbers = []
    for resident in Resident.objects.all():
        facts = parse_id_number(resident.id_number)
        assert (facts.birth_date, facts.is_male) == (resident.birth_date, resident.sex == "M")
        assert facts.region_code.startswith("4201")
        numbers.append(facts.number)
    for cadre in Cadre.objects.all():
        facts = parse_id_number(cadre.id_number)
        assert facts.is_male == (cadre.sex == "M")
        assert facts.region_code.startswith("4201")
        numbers.append(facts.number)
    assert len(set(numbers)) == len(numbers) == 350


def test_demo_city_each_login_has_exactly_its_role_and_scope(db):
    demo_city()
    for username, (role, unit_code) in EXPECTED_LOGINS.items():
        user = User.objects.get(username=username)
        assert user.display_name
        assert user.check_password("xiachen-demo")
        assert list(Membership.objects.filter(user=user).values_list("role", "unit__code")) == [
            (role, unit_code)
        ]
    assert User.objects.get(username="ganbu").cadre.agency.agency_kind.code == "audit"
    assert User.objects.get(username="jumin").resident.household.compound.code == "420102001001001"


def test_demo_city_same_seed_gives_the_same_city_and_another_seed_another(db):
    demo_city(seed=7)
    first = city_digest()
    demo_city(seed=7, reset=True)
    assert city_digest() == first
    demo_city(seed=8, reset=True)
    assert city_digest() != first


def test_demo_city_cadre_specialties_fit_their_agency(db):
    demo_city()
    for cadre in Cadre.objects.select_related("agency__agency_kind").prefetch_related("specialties"):
        codes = {specialty.code for specialty in cadre.specialties.all()}
        assert codes & set(AGENCY_SPECIALTIES[cadre.agency.agency_kind.code]), (cadre.agency.name, codes)
    audit_cadres = Cadre.objects.filter(agency__agency_kind__code="audit")
    assert audit_cadres.exists()
    assert not audit_cadres.exclude(specialties__code__in=["audit", "finance"]).exists()


def test_demo_city_second_run_without_reset_refuses_and_changes_nothing(db):
    demo_city()
    before = (
        Unit.objects.count(),
        Cadre.objects.count(),
        Resident.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(CommandError, match="--reset"):
        demo_city(seed=2)
    after = (
        Unit.objects.count(),
        Cadre.objects.count(),
        Resident.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_demo_city_is_audited_once_with_counts(db):
    output = demo_city()
    event = AuditEvent.objects.get(action="demo.city_generated")
    assert (event.actor_id, event.fields["residents"], event.fields["cadres"]) == (None, 300, 50)
    assert "zuzhibu" in output and "xiachen-demo" in output


def test_demo_city_flags_elderly_alone_only_in_single_households(db):
    demo_city()
    flagged = Resident.objects.filter(vulnerabilities__code="elderly_alone").select_related("household")
    assert all(resident.household.residents.count() == 1 for resident in flagged)


def test_demo_city_print_logins_lists_every_role_without_rebuilding(db):
    demo_city(seed=3)
    units_before = Unit.objects.count()
    output = StringIO()
    call_command("demo_city", print_logins=True, stdout=output)
    usernames = [line.split()[1] for line in output.getvalue().splitlines()[3:] if line.strip()]
    assert usernames == ["zuzhibu", "lianluo", "shequ", "ganbu", "shegong", "rexian", "jumin", "shenji", "xitong"]
    assert Unit.objects.count() == units_before
