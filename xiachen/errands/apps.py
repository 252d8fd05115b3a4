from django.apps import AppConfig


class ErrandsConfig(AppConfig):
    name = "xiachen.errands"
    label = "errands"
