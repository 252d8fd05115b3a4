from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xiachen.org"
    label = "org"
