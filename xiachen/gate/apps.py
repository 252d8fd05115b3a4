from django.apps import AppConfig


class GateConfig(AppConfig):
    name = "xiachen.gate"
    label = "gate"
