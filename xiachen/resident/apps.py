from django.apps import AppConfig


class ResidentConfig(AppConfig):
    name = "xiachen.resident"
    label = "resident"
