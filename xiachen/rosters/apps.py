from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "xiachen.rosters"
    label = "rosters"
