"""Sign-in with the directory password (LDAP / Active Directory), behind axes and before our TOTP.

The directory checks the password; the account is then brought up to date with the same code as the
sync (a person new to this installation is created only when XIACHEN_LDAP_UNKNOWN_USERS is "create").
Staff still enter our TOTP afterwards: the directory password is the first factor only.
"""

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction

from xiachen.accounts.models import User
from xiachen.org.models import Unit

from .ldap_directory import DirectoryError, ldap_enabled, person_with_password
from .ldap_sync import SyncReport, reconcile_person
from .models import ExternalAccount, Source

logger = logging.getLogger("xiachen.identity")


class LdapBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not ldap_enabled() or not username or not password:
            return None
        try:
            person = person_with_password(username, password)
        except DirectoryError as error:  # the local password still works for local accounts
            logger.warning("LDAP sign-in unavailable: %s", error)
            return None
        if person is None:
            return None
        user = _account_for(person)
        return user if user is not None and self.user_can_authenticate(user) else None


@transaction.atomic
def _account_for(person) -> User | None:
    link = ExternalAccount.objects.filter(source=Source.LDAP, external_id=person.key).select_related("user").first()
    known = link is not None or User.objects.filter(username__iexact=person.username).exists()
    if not known and settings.XIACHEN_LDAP_UNKNOWN_USERS != "create":
        return None
    units = {u.code: u for u in Unit.objects.filter(code=person.department)}
    if link is not None and link.disabled_by_sync:
        return None  # gone from the directory at the last sync; the next sync decides
    return reconcile_person(person, link=link, units=units, report=SyncReport(), apply=True)
