from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.language_set, name="set-language"),
    # Before admin.site.urls (worksadmin/urls.py includes this first): the admin's own
    # log-in page under the log-in limits, and its log-out ending every session.
    path("ops/login/", views.ops_login, name="ops-login"),
    path("ops/logout/", views.ops_logout, name="ops-logout"),
    path("console/", views.console, name="console"),
    path("console/settings/company/", views.company_info, name="company-info"),
    path("console/audit/", views.audit, name="audit"),
    path("console/audit/exports/", views.audit_exports, name="audit-exports"),
    path(
        "console/audit/exports/<int:pk>/download/",
        views.audit_export_download,
        name="audit-export-download",
    ),
]
