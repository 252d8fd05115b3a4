from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Single sign-on (OpenID Connect) and the LDAP / Active Directory sign-in and sync."""

    name = "xiachen.identity"
    label = "identity"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from xiachen.accounts.context_processors import add_section

        from . import (
            checks,  # noqa: F401  # registers the system checks
            personal_data,  # noqa: F401
        )

        add_section("accounts.manage", "identity:directory_sync", _("目录同步"), group="system")
