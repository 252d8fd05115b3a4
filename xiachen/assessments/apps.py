from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "xiachen.assessments"
    label = "assessments"
