"""What the templates need of accounts (registered by `worksadmin.jinja2`: core imports no app)."""

from django.utils.translation import pgettext

from .models import WorksApp
from .selectors import company_info_is_complete


def app_names(keys: list[str]) -> str:
    """`["talk", "drive"]` → 「トーク、Drive」 (“Talk, Drive” in English): the names people read."""
    return pgettext("list separator", "、").join(WorksApp.labels_of(keys or []))


GLOBALS = {"company_info_is_complete": company_info_is_complete}
FILTERS = {"app_names": app_names}
