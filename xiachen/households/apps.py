from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "xiachen.households"
    label = "households"
