from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "xiachen.hotline"
    label = "hotline"
