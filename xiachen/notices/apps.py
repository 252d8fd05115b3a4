from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "xiachen.notices"
    label = "notices"
