from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("partner/webhooks/", views.endpoint_list, name="endpoints"),
    path("partner/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("partner/webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="endpoint-rotate"),
    path("partner/webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint-delete"),
    path(
        "partner/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="delivery-redeliver",
    ),
    path("dev/webhooks/", views.dev_deliveries, name="dev-deliveries"),
]
