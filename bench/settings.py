"""The product's settings plus the benchmark app and its floor route (`make bench` uses these)."""

from worksadmin.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
