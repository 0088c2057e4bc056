from django.urls import path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("console/sandbox/reset/", views.tenant_reset, name="tenant-reset"),
    path("partner/sandbox/", views.customers, name="customers"),
    path("partner/sandbox/<slug:domain>/reset/", views.customer_reset, name="customer-reset"),
    path("partner/sandbox/<slug:domain>/delete/", views.customer_delete, name="customer-delete"),
]
