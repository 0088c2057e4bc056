import pytest
from django.db import transaction
from django.test import Client

from .pages import every_page


@pytest.fixture(scope="session")
def rendered_pages(django_db_setup, django_db_blocker) -> list[tuple[str, str]]:
    """Every page through the whole flow, rendered once for all the checks that read them;
    the rows they needed are rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        pages = list(every_page(Client()))
        transaction.set_rollback(True)
    return pages
