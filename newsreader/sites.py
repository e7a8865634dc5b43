"""The admin site is the curators' tool.

Django's admin sends a signed-in person without access back to its login
page; here they get a 403 that says why. It is its own module because the
admin's default site is imported while the apps' admin modules load.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.http import HttpResponseForbidden

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
