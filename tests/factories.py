"""factory_boy factories. Units get codes in the 行政区划 style; residents get valid ID numbers."""

import itertools
from datetime import date

import factory

from xiachen.accounts.models import Membership, User
from xiachen.cadres.models import Cadre, Specialty
from xiachen.core.idnumbers import make_id_number
from xiachen.households.enums import Relation
from xiachen.households.models import Household, Resident, Vulnerability
from xiachen.org.models import AgencyKind, Unit, UnitKind

_sequence = itertools.count(1)


def next_id_number(birth: date = date(1985, 6, 15), male: bool = True) -> str:
    serial = next(_sequence) % 500
    return make_id_number("420102", birth, serial * 2 + (1 if male else 0))


def next_mobile() -> str:
    return f"139{next(_sequence):08d}"


def make_unit(code: str, name: str, kind: str, parent: Unit | None = None, agency_kind: str | None = None) -> Unit:
    unit = Unit(
        code=code,
        name=name,
        kind=UnitKind.objects.get(code=kind),
        parent=parent,
        agency_kind=AgencyKind.objects.get(code=agency_kind) if agency_kind else None,
    )
    unit.build_path()
    unit.save()
    return unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")


def user_with_role(role: str, unit: Unit, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, role=role, unit=unit)
    user.save()
    return user


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"干部{n}")
    sex = "M"
    phone = factory.LazyFunction(next_mobile)
    id_number = factory.LazyFunction(next_id_number)
    position = "科员"

    @factory.post_generation
    def specialties(self, create, codes, **kwargs):
        if create and codes:
            self.specialties.set(Specialty.objects.filter(code__in=codes))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.Sequence(lambda n: str(n % 20 + 1))
    entrance = "1"
    room = factory.Sequence(lambda n: f"{n + 101}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    relation = Relation.HEAD
    sex = "M"
    birth_date = date(1985, 6, 15)
    phone = factory.LazyFunction(next_mobile)
    id_number = factory.LazyFunction(next_id_number)

    @factory.post_generation
    def vulnerabilities(self, create, codes, **kwargs):
        if create and codes:
            self.vulnerabilities.set(Vulnerability.objects.filter(code__in=codes))


def ensure_vocabularies() -> None:
    """Reload the default vocabularies: a transactional (browser) test's flush empties every table."""
    from xiachen.cadres.vocabulary import SPECIALTIES
    from xiachen.households.vocabulary import VULNERABILITIES
    from xiachen.org.vocabulary import AGENCY_KINDS, UNIT_KINDS

    for model, rows in (
        (UnitKind, UNIT_KINDS),
        (AgencyKind, AGENCY_KINDS),
        (Specialty, SPECIALTIES),
        (Vulnerability, VULNERABILITIES),
    ):
        if model.objects.exists():
            continue
        model.objects.bulk_create(
            model(code=code, name_zh=zh, name_en=en, sort_order=order) for order, (code, zh, en) in enumerate(rows)
        )

    _ensure_post_types()


def _ensure_post_types() -> None:
    from xiachen.deployments.models import AffinityWeight, PostType
    from xiachen.deployments.vocabulary import AFFINITY, POST_TYPES

    if PostType.objects.exists():
        return
    for order, (code, zh, en, must, nice, hazard, medical) in enumerate(POST_TYPES):
        post_type = PostType.objects.create(code=code, name_zh=zh, name_en=en, sort_order=order, hazard=hazard,
                                            needs_medical=medical)
        post_type.must_have_any.set(Specialty.objects.filter(code__in=must))
        post_type.nice_to_have.set(Specialty.objects.filter(code__in=nice))
    for kind_code, weights in AFFINITY.items():
        kind = AgencyKind.objects.get(code=kind_code)
        AffinityWeight.objects.bulk_create(
            AffinityWeight(agency_kind=kind, post_type=PostType.objects.get(code=code), weight=weight)
            for code, weight in weights.items()
        )
