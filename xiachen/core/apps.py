from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiachen.core"
    label = "core"
