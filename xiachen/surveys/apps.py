from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "xiachen.surveys"
    label = "surveys"
