from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("dev/mailbox/", views.mailbox, name="mailbox"),
    path("dev/mailbox/<int:pk>/html/", views.mailbox_html, name="mailbox-html"),
]
