from django.apps import AppConfig


class KashflowConfig(AppConfig):
    name = "kashflow"
    verbose_name = "KashFlow"
