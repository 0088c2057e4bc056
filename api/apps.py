from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The partner API at /api/v1/, shaped like the LINE WORKS Partner API (Django Ninja)."""

    name = "api"
