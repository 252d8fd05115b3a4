from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "xiachen.policies"
    label = "policies"
