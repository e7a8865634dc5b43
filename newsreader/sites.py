"""The admin site is the curators' tool.

Django's admin sends a signed-in person without access back to its login
page; here they get a 403 that says why. It is its own module because the
admin's default site is imported while the apps' admin modules load.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.urls import reverse

from newsreader.roles import can_curate


class CurationSite(admin.AdminSite):
    site_header = "Newsreader curation"
    site_title = "Newsreader curation"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated and not (
                self.has_permission(request) and can_curate(user)
            ):
                return HttpResponseForbidden(
                    "The admin site is for curators. Ask an administrator to "
                    "add you to the curator group.",
                    content_type="text/plain; charset=utf-8",
                )
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def login(self, request, extra_context=None):
        # One sign-in page for the site and the admin, the throttled one
        # (newsreader.signin): the admin's own would let guesses through.
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
