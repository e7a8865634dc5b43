"""Sign-in that slows down guessing: after ``SIGNIN_FAILURE_LIMIT`` wrong
passwords for one username, or ``SIGNIN_ADDRESS_FAILURE_LIMIT`` from one
address, within ``SIGNIN_LOCKOUT_MINUTES``, that username or address may
not sign in until the oldest of them is that old. An address gets more
tries than an account: people behind one office router or proxy share it.

Counted in the database, so that every web worker sees the same count.
"""

from __future__ import annotations

import datetime as dt
import math

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from newsreader.http import client_address
from newsreader.models import SignInFailure


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)


def minutes_locked(username: str, address: str) -> int:
    """Minutes until ``username`` and ``address`` may try again; 0 if now."""
    window = _window()
    since = timezone.now() - window
    waits = []
    for who, limit in (
        (Q(username=username), settings.SIGNIN_FAILURE_LIMIT),
        (Q(address=address), settings.SIGNIN_ADDRESS_FAILURE_LIMIT),
    ):
        times = list(
            SignInFailure.objects.filter(who, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(times) >= limit:
            waits.append(times[-1] + window - timezone.now())
    if not waits:
        return 0
    return max(1, math.ceil(max(waits).total_seconds() / 60))


class ThrottledAuthenticationForm(AuthenticationForm):
    locked = False

    def clean(self) -> dict:
        username = (self.cleaned_data.get("username") or "")[:150]
        address = client_address(self.request)
        minutes = minutes_locked(username, address)
        if minutes:
            self.locked = True
            raise forms.ValidationError(
                f"Too many wrong passwords for this account or from this "
                f"address. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                code="locked",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            SignInFailure.objects.create(username=username, address=address)
            SignInFailure.objects.filter(at__lt=timezone.now() - _window()).delete()
            raise
        SignInFailure.objects.filter(username=username, address=address).delete()
        return cleaned


class SignInView(LoginView):
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response
