"""The partner API, mounted at /api/v1/ (paths as in the OpenAPI document's `paths`)."""

from django.urls import path

from . import api
from .openapi import openapi_json

app_name = "api"

urlpatterns = [
    path(
        "partners/potential-customers/<str:domain>",
        api.potential_customer,
        name="potential-customer",
    ),
    path(
        "partners/potential-customers/<str:domain>/transfer",
        api.transfer,
        name="potential-customer-transfer",
    ),
    path("openapi.json", openapi_json, name="openapi"),
]
