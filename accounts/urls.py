from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.language_set, name="set-language"),
    path("console/", views.console, name="console"),
    path("console/settings/company/", views.company_info, name="company-info"),
    path("console/audit/", views.audit, name="audit"),
    path("console/audit/csv/", views.audit_csv, name="audit-csv"),
]
