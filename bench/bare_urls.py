"""The app's URLs and one view that does nothing but answer, the floor the
article page's rate is measured against (bench/api.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from newsreader.urls import handler400, handler500  # noqa: F401
from newsreader.urls import urlpatterns as app


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *app]
