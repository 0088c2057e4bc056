from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "worksadmin ops"
admin.site.site_title = "worksadmin ops"

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("partners.urls")),
    path("ops/", admin.site.urls),
]
