"""What every ModelAdmin of the project shares."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP


def touches_secret(model, lookup: str) -> bool:
    """Whether `lookup` (`partner_codes__code__startswith`) reads a column that a model along
    its path lists in `SECRET_FIELDS`."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or an operator: the columns end here
        if part in getattr(model, "SECRET_FIELDS", ()):
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False


class SecretLookupsRefused(admin.ModelAdmin):
    """Filtering a changelist on a secret column is refused (400), on this model's own
    columns and through relations: `?code__startswith=B` answered whether an open partner
    code starts with B, and recovered one in 381 requests."""

    def lookup_allowed(self, lookup, value, request):
        if touches_secret(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)
