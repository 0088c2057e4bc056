from django.contrib import admin
from django.urls import include, path, re_path

from core import views as core_views

admin.site.site_header = "worksadmin ops"
admin.site.site_title = "worksadmin ops"

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("partners.urls")),
    path("", include("sandbox.urls")),
    path("", include("outbox.urls")),
    path("", include("webhooks.urls")),
    path("", include("api.urls")),  # /api/v1/, /oauth2/v2.0/token, /partner/apps/
    # Any other /api/ path answers JSON, with DEBUG on as well.
    re_path(r"^api/", core_views.page_not_found),
    path("ops/", admin.site.urls),
]

# JSON under /api/, one error page everywhere else.
handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
