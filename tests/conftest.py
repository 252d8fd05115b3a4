"""Personas: two units at every level of the tree, so a leak between siblings shows.

city 420100
├── district 420102 (江岸区) → street 420102001 → community 420102001001 → compound 420102001001001
└── district 420103 (江汉区) → street 420103002 → community 420103002001 → compound 420103002001001
agencies: A-AUDIT (审计局, dept 财政审计科), A-HEALTH (卫健委, dept 疾控科)
"""

from dataclasses import dataclass

import pytest
from django.utils import translation

from xiachen.accounts.enums import Role
from xiachen.org.models import Unit

from . import database_template
from .factories import (
    CadreFactory,
    HouseholdFactory,
    ResidentFactory,
    ensure_vocabularies,
    make_unit,
    user_with_role,
)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        database_template.name_the_run()


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            database_template.drop_template()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's fixture, except that xdist workers clone one migrated template
    (tests/database_template.py) instead of each migrating its own database."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if database_template.in_a_named_worker():
            names = database_template.clone_for_worker(verbosity)
        else:
            names = setup_databases(verbosity=verbosity, interactive=False)
    yield
    with django_db_blocker.unblock():
        teardown_databases(names, verbosity=verbosity)


@pytest.fixture(autouse=True)
def audit_anchors_of_this_test(settings, tmp_path):
    """Signed audit checkpoints go to a file of this test's own (the database is rolled back after
    each test; a checkpoint left over from another test would rightly say events went missing)."""
    settings.XIACHEN_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")


@pytest.fixture(autouse=True)
def chinese_by_default():
    """A request in English leaves English active in the thread; every test starts in Chinese."""
    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@dataclass
class Tree:
    city: Unit
    district1: Unit
    district2: Unit
    street1: Unit
    street2: Unit
    community1: Unit
    community2: Unit
    compound1: Unit
    compound2: Unit
    agency1: Unit
    agency2: Unit
    department1: Unit
    department2: Unit


@pytest.fixture
def tree(db) -> Tree:
    ensure_vocabularies()
    city = make_unit("420100", "武汉市", "city")
    d1 = make_unit("420102", "江岸区", "district", city)
    d2 = make_unit("420103", "江汉区", "district", city)
    s1 = make_unit("420102001", "大智街道", "street", d1)
    s2 = make_unit("420103002", "民族街道", "street", d2)
    m1 = make_unit("420102001001", "车站路社区", "community", s1)
    m2 = make_unit("420103002001", "桥口社区", "community", s2)
    k1 = make_unit("420102001001001", "车站路小区", "compound", m1)
    k2 = make_unit("420103002001001", "桥口小区", "compound", m2)
    a1 = make_unit("A-AUDIT", "武汉市审计局", "agency", city, agency_kind="audit")
    a2 = make_unit("A-HEALTH", "武汉市卫生健康委员会", "agency", city, agency_kind="health")
    dep1 = make_unit("A-AUDIT-01", "财政审计科", "department", a1)
    dep2 = make_unit("A-HEALTH-01", "疾控科", "department", a2)
    return Tree(city, d1, d2, s1, s2, m1, m2, k1, k2, a1, a2, dep1, dep2)


@dataclass
class People:
    org_department: object
    liaison1: object
    liaison2: object
    manager1: object
    manager2: object
    worker1: object
    cadre_user1: object
    hotline: object
    resident_user1: object
    auditor: object
    sysadmin: object


@pytest.fixture
def people(tree) -> People:
    cadre_user = user_with_role(Role.CADRE, tree.community1, username="cadre1")
    CadreFactory(agency=tree.agency1, department=tree.department1, user=cadre_user, specialties=["audit"])
    resident_user = user_with_role(Role.RESIDENT, tree.compound1, username="resident1")
    household = HouseholdFactory(compound=tree.compound1)
    ResidentFactory(household=household, user=resident_user)
    return People(
        org_department=user_with_role(Role.ORG_DEPARTMENT, tree.city, username="org"),
        liaison1=user_with_role(Role.AGENCY_LIAISON, tree.agency1, username="liaison1"),
        liaison2=user_with_role(Role.AGENCY_LIAISON, tree.agency2, username="liaison2"),
        manager1=user_with_role(Role.UNIT_MANAGER, tree.community1, username="manager1"),
        manager2=user_with_role(Role.UNIT_MANAGER, tree.community2, username="manager2"),
        worker1=user_with_role(Role.COMMUNITY_WORKER, tree.community1, username="worker1"),
        cadre_user1=cadre_user,
        hotline=user_with_role(Role.HOTLINE_OPERATOR, tree.district1, username="hotline"),
        resident_user1=resident_user,
        auditor=user_with_role(Role.SECURITY_AUDITOR, tree.city, username="auditor"),
        sysadmin=user_with_role(Role.SYSTEM_ADMIN, tree.city, username="sysadmin"),
    )


@pytest.fixture
def cadre1(people):
    return people.cadre_user1.cadre


@pytest.fixture
def resident1(people):
    return people.resident_user1.resident


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def uses_the_database(item) -> bool:
    """Whether a test touches the database: marked django_db, or needs a database fixture (directly or
    through its fixtures, e.g. `people`)."""
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


BROWSER_ON_BOTH = {"test_gate.py", "test_deployment_round.py"}


def _browser_once(item) -> bool:
    """Site-wide rendering sweeps and browser tests outside BROWSER_ON_BOTH run in the SQLite run only."""
    if item.get_closest_marker("rendering") is not None:
        return True
    return item.get_closest_marker("browser") is not None and item.path.name not in BROWSER_ON_BOTH


def pytest_collection_modifyitems(config, items):
    """The suite runs once per database (bin/test, .ci/run: SQLite, then PostgreSQL).

    - Tests marked postgresql_only exercise what SQLite does not have (row-lock deadlocks, a server
      that drops its clients): deselected, and named, in the SQLite run.
    - Tests that never touch the database (the solver, the JavaScript verifier on the shared vectors,
      subprocess checks of the production settings, the translations) give the same result on either
      database: they run in the SQLite run (the default) and are deselected in the PostgreSQL run, so
      CI does not pay for them twice.
    - Browser tests check what people see and do; what the database does under them is covered by the
      service, selector, matrix and fault tests, which run on both. They run in full in the SQLite run;
      the PostgreSQL run keeps the journeys whose server side is most database-bound
      (BROWSER_ON_BOTH: the offline gate syncing scans, a whole deployment round with matching).
    """
    from django.conf import settings

    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if on_postgresql:
        dropped = [item for item in items if not uses_the_database(item) or _browser_once(item)]
    else:
        dropped = [item for item in items if item.get_closest_marker("postgresql_only") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        kept = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in kept]
