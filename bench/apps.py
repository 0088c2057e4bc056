from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's own pieces (the floor view, `seed_scale`); installed only by
    bench.settings, never in the product."""

    name = "bench"
