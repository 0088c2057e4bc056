from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares; it imports none of them."""

    name = "core"
