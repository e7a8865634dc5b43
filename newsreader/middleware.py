"""Headers for every page the app draws."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Browser features the app uses none of, so no page (nor anything injected
# into one) may ask for them.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "display-capture=(), clipboard-read=()"
)


def page_headers(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.user.is_authenticated:
            # A signed-in user's page holds their own work and names: no
            # shared cache (a proxy, a CDN) may keep it for someone else.
            patch_cache_control(response, private=True)
        return response

    return middleware
