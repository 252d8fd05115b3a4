from datetime import timedelta

import pytest
from django.utils import timezone

from xiachen.hotline.vocabulary import load_defaults
from xiachen.interop.tokens import issue_token

from .servers import Open311Platform, Receiver, _platform_handler, _receiver_handler, start


@pytest.fixture(scope="session")
def receiver_server():
    receiver = Receiver()
    server = start(_receiver_handler, receiver)
    yield receiver
    server.shutdown()


@pytest.fixture
def receiver(receiver_server):
    receiver_server.secrets.clear()
    receiver_server.answers.clear()
    receiver_server.received.clear()
    return receiver_server


@pytest.fixture(scope="session")
def platform_server():
    platform = Open311Platform()
    server = start(_platform_handler, platform)
    yield platform
    server.shutdown()


@pytest.fixture
def platform(platform_server, settings):
    platform_server.posts.clear()
    platform_server.statuses.clear()
    platform_server.fail_next = 0
    settings.XIACHEN_OPEN311_UPSTREAM_URL = platform_server.url
    settings.XIACHEN_OPEN311_UPSTREAM_API_KEY = platform_server.api_key
    settings.XIACHEN_OPEN311_SERVICE_CODES = {"general": "CITY-GEN"}
    return platform_server


@pytest.fixture
def hotline_defaults(db):
    load_defaults()


def make_token(people, units, *, role="hotline_operator", scopes=("read", "hotline"), days=30):
    token, raw = issue_token(by=people.sysadmin, name="区12345平台", role=role, units=list(units),
                             scopes=list(scopes), expires_at=timezone.now() + timedelta(days=days))
    return token, raw


@pytest.fixture
def operator_token(people, tree, hotline_defaults):
    """A hotline operator's token over district1, with the read and hotline scopes."""
    return make_token(people, [tree.district1])


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
