from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "xiachen.cadres"
    label = "cadres"
