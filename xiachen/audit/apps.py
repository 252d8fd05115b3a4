from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiachen.audit"
    label = "audit"
