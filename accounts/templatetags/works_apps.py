from django import template
from django.utils.translation import pgettext

from ..models import WorksApp

register = template.Library()


@register.filter
def app_names(keys: list[str]) -> str:
    """`["talk", "drive"]` → 「トーク、Drive」 (“Talk, Drive” in English): the names people read."""
    return pgettext("list separator", "、").join(WorksApp.labels_of(keys or []))
