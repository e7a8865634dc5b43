"""The app's URLs and two views that do nothing but answer: the floors the
article page (bench/api.py) and a reviewer's write (bench/reviewers.py) are
measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from newsreader.urls import handler400, handler500  # noqa: F401
from newsreader.urls import urlpatterns as app


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def signed_in(request: HttpRequest) -> HttpResponse:
    """What every write pays before its own work: the middleware, the CSRF
    check, the session and the signed-in user."""
    if not request.user.is_authenticated:
        return HttpResponse("sign in", status=403, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("bench/signed-in/", signed_in), *app]
