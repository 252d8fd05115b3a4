from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xiachen.demo"
    label = "demo"
