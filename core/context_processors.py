"""Context processors of the Jinja2 templates (settings.TEMPLATES)."""

from django.template.backends.utils import csrf_input as csrf_input_html
from django.utils.functional import SimpleLazyObject


def csrf_input(request) -> dict:
    """`{{ csrf_input }}`, masked once per page, however many forms it has (the header's
    log-out and language forms, the page's own), as DTL's `{% csrf_token %}` is. Django's
    Jinja2 backend masks the token anew for every form: ~50 µs each."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input_html(request))}
