from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class DownloadsConfig(AppConfig):
    name = "xiachen.downloads"
    verbose_name = _("导出文件")

    def ready(self) -> None:
        # Each app that offers a large export declares it in its own `downloads.py` (registry.register).
        autodiscover_modules("downloads")
        from xiachen.accounts.context_processors import add_section

        from . import personal_data  # noqa: F401

        # Whoever may export a list finds the exports built for them in the same menu.
        for permission in ("cadres.view", "households.view"):
            add_section(permission, "downloads:list", _("我的导出"), group="people")
