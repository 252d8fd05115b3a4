"""Reading the LDAP / Active Directory with ldap3: people, their department and their groups.

One service-account connection per call; the user's own password is checked by a second bind
as the user's DN. TLS (ldaps:// or StartTLS) is verified against the system's or the configured CA;
production refuses plain LDAP (checks.py). Values are returned as plain dataclasses.
"""

import ssl
from dataclasses import dataclass, field

import ldap3
from django.conf import settings
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars


class DirectoryError(Exception):
    """The directory could not be reached or refused the service account (a configuration problem)."""


@dataclass(frozen=True)
class DirectoryPerson:
    dn: str
    username: str
    name: str = ""
    email: str = ""
    department: str = ""  # a unit code
    groups: frozenset[str] = field(default_factory=frozenset)  # lower-case DNs of the role groups they are in

    @property
    def key(self) -> str:
        return self.dn.lower()


def ldap_enabled() -> bool:
    return bool(settings.XIACHEN_LDAP_URL)


def _connection(user: str, password: str) -> ldap3.Connection:
    url = settings.XIACHEN_LDAP_URL
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.XIACHEN_LDAP_CA_FILE or None)
    server = ldap3.Server(url, use_ssl=url.startswith("ldaps://"), tls=tls,
                          connect_timeout=settings.XIACHEN_LDAP_TIMEOUT)
    connection = ldap3.Connection(server, user=user, password=password, receive_timeout=settings.XIACHEN_LDAP_TIMEOUT,
                                  read_only=True, raise_exceptions=False)
    try:
        connection.open()
        if settings.XIACHEN_LDAP_START_TLS and not connection.start_tls():
            raise DirectoryError("StartTLS failed")
    except (LDAPException, DirectoryError):
        _close(connection)  # a failed handshake leaves the socket open
        raise
    return connection


def _close(connection: ldap3.Connection) -> None:
    try:
        connection.unbind()
    except LDAPException:
        if connection.socket is not None:
            connection.socket.close()


def service_connection() -> ldap3.Connection:
    """A connection bound as the service account; DirectoryError when that fails."""
    try:
        connection = _connection(settings.XIACHEN_LDAP_BIND_DN, settings.XIACHEN_LDAP_BIND_PASSWORD)
        if not connection.bind():
            connection.unbind()
            raise DirectoryError(f"service bind refused: {connection.result.get('description')}")
    except LDAPException as error:
        raise DirectoryError(type(error).__name__) from error
    return connection


def _attributes() -> list[str]:
    return [settings.XIACHEN_LDAP_USERNAME_ATTRIBUTE, settings.XIACHEN_LDAP_NAME_ATTRIBUTE,
            settings.XIACHEN_LDAP_EMAIL_ATTRIBUTE, settings.XIACHEN_LDAP_DEPARTMENT_ATTRIBUTE]


def _first(entry, attribute: str) -> str:
    values = entry["attributes"].get(attribute) or []
    values = values if isinstance(values, list) else [values]
    return str(values[0]).strip() if values else ""


def _person(entry, groups: dict[str, frozenset[str]]) -> DirectoryPerson:
    return DirectoryPerson(
        dn=entry["dn"],
        username=_first(entry, settings.XIACHEN_LDAP_USERNAME_ATTRIBUTE),
        name=_first(entry, settings.XIACHEN_LDAP_NAME_ATTRIBUTE)[:60],
        email=_first(entry, settings.XIACHEN_LDAP_EMAIL_ATTRIBUTE)[:254],
        department=_first(entry, settings.XIACHEN_LDAP_DEPARTMENT_ATTRIBUTE),
        groups=groups.get(entry["dn"].lower(), frozenset()),
    )


def _search(connection, search_filter: str):
    """Paged (Active Directory returns at most 1000 entries per page)."""
    return connection.extend.standard.paged_search(
        settings.XIACHEN_LDAP_USER_BASE, search_filter, attributes=_attributes(), paged_size=500, generator=True
    )


def _role_groups(connection) -> dict[str, frozenset[str]]:
    """Member DN (lower case) → the configured role groups (lower case) it is a member of."""
    memberships: dict[str, set[str]] = {}
    for group_dn in settings.XIACHEN_LDAP_ROLE_GROUPS:
        if connection.search(group_dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=["member"]):
            for member in connection.entries[0].entry_attributes_as_dict.get("member", []):
                memberships.setdefault(str(member).lower(), set()).add(group_dn.lower())
    return {dn: frozenset(groups) for dn, groups in memberships.items()}


def all_people() -> list[DirectoryPerson]:
    """Everyone the user filter matches under the user base, with a username. DirectoryError on failure."""
    connection = service_connection()
    try:
        groups = _role_groups(connection)
        found = _search(connection, settings.XIACHEN_LDAP_USER_FILTER)
        entries = [entry for entry in found if entry.get("type") == "searchResEntry"]
        if connection.result.get("result") not in (0, None):
            raise DirectoryError(f"search failed: {connection.result.get('description')}")
    except LDAPException as error:
        raise DirectoryError(type(error).__name__) from error
    finally:
        connection.unbind()
    return [person for person in (_person(entry, groups) for entry in entries) if person.username]


def person_with_password(username: str, password: str) -> DirectoryPerson | None:
    """The directory entry of `username` when `password` binds as it; None otherwise.

    An empty password is refused before anything is sent: LDAP treats a simple bind with a DN and
    no password as an anonymous bind, which "succeeds".
    """
    if not username or not password:
        return None
    connection = service_connection()
    try:
        name_filter = f"({settings.XIACHEN_LDAP_USERNAME_ATTRIBUTE}={escape_filter_chars(username)})"
        found = [e for e in _search(connection, f"(&{settings.XIACHEN_LDAP_USER_FILTER}{name_filter})")
                 if e.get("type") == "searchResEntry"]
        if len(found) != 1:
            return None
        person = _person(found[0], _role_groups(connection))
        user_connection = _connection(person.dn, password)
        try:
            return person if user_connection.bind() else None
        finally:
            user_connection.unbind()
    except LDAPException as error:
        raise DirectoryError(type(error).__name__) from error
    finally:
        connection.unbind()
