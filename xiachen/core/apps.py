from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiachen.core"
    label = "core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's searchable pickers register themselves (xiachen.core.pickers).
        autodiscover_modules("pickers")

        from .forms import use_clean_text, use_native_pickers

        use_native_pickers()
        use_clean_text()
