from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "xiachen.field"
    label = "field"
    verbose_name = _("外勤离线")

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section

        add_section("errands.work", "field:app", _("外勤手机版（离线可用）"), group="work")
