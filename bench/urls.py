from django.urls import path

from worksadmin.urls import handler400, handler403, handler404, handler500, urlpatterns

from .views import floor

urlpatterns = [path("bench/floor/", floor), *urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
