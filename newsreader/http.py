from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind
    ``TRUSTED_PROXY_COUNT`` proxies of one's own, the one the outermost of
    them saw (X-Forwarded-For, of which a client may forge the rest)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= proxies:
            address = forwarded[-proxies].strip()
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
