"""Sign-in is throttled: a few wrong passwords, then a wait, per account and
per address, with a message that says how long."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from newsreader.models import SignInFailure

LOGIN = reverse("login")


def sign_in(client, username: str, password: str, address: str = "198.51.100.7"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_after_five_wrong_passwords_even_the_right_one_waits(client, users):
    for _ in range(5):
        response = sign_in(client, "reviewer", "wrong")
        assert response.status_code == 200
        assert "do not match" in response.text
    response = sign_in(client, "reviewer", "pw-reviewer")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.text
    assert "Try again in 15 minutes" in response.text
    assert "_auth_user_id" not in client.session
    # From another address the account is locked all the same; another
    # account from that other address is not.
    assert sign_in(client, "reviewer", "pw-reviewer", "203.0.113.9").status_code == 429
    response = sign_in(client, "curator", "pw-curator", "203.0.113.9")
    assert response.status_code == 302


def test_one_address_guessing_many_accounts_is_stopped_later(client, users):
    # People behind one router share an address: it gets more tries.
    for number in range(19):
        assert sign_in(client, f"user{number}", "wrong").status_code == 200
    assert sign_in(client, "curator", "wrong").status_code == 200
    assert sign_in(client, "curator", "pw-curator").status_code == 429
    assert sign_in(client, "reviewer", "pw-reviewer", "203.0.113.9").status_code == 302


def test_the_forwarded_address_counts_only_behind_proxies_of_ones_own(
    client, users, settings
):
    def forwarded(chain: str):
        return client.post(
            LOGIN,
            {"username": "reviewer", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=chain,
        )

    forwarded("192.0.2.1")
    assert SignInFailure.objects.get().address == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # A client may put anything first; the proxy's own entry is the last.
    forwarded("192.0.2.66, 198.51.100.20")
    assert SignInFailure.objects.order_by("pk").last().address == "198.51.100.20"
    forwarded("not an address")
    assert SignInFailure.objects.order_by("pk").last().address == "10.0.0.2"


def test_the_lock_ends_when_the_failures_are_old_and_success_clears_them(client, users):
    for _ in range(5):
        sign_in(client, "reviewer", "wrong")
    SignInFailure.objects.update(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert sign_in(client, "reviewer", "wrong").status_code == 200
    # The old rows are pruned as a new failure is written.
    assert SignInFailure.objects.count() == 1
    assert sign_in(client, "reviewer", "pw-reviewer").status_code == 302
    assert not SignInFailure.objects.filter(username="reviewer").exists()


def test_the_admin_signs_in_through_the_same_throttled_page(client, users):
    response = client.post("/admin/login/?next=/admin/", {"username": "x"})
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/"
    final = client.get("/admin/", follow=True)
    assert final.request["PATH_INFO"] == LOGIN


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_a_form_not_in_utf8_is_a_400_even_with_a_csrf_token(charset):
    # Django's own 400 page checks the token, reading the body again.
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN)
    token = page.context["csrf_token"]
    response = client.post(
        LOGIN,
        f"csrfmiddlewaretoken={token}&username=reviewer&password=x".encode(),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.text and "Reload the page" in response.text


def test_a_session_signs_in_until_it_expires_or_signs_out(client, users):
    """Sessions are read with a query of our own (newsreader.sessions)."""
    from django.contrib.sessions.models import Session

    assert sign_in(client, "reviewer", "pw-reviewer").status_code == 302
    home = reverse("annotations:my-work")
    assert client.get(home).status_code == 200
    key = client.cookies["sessionid"].value
    session = Session.objects.get(session_key=key)
    session.expire_date -= dt.timedelta(weeks=52)
    session.save()
    assert client.get(home).status_code == 302  # to the sign-in page
    assert sign_in(client, "reviewer", "pw-reviewer").status_code == 302
    assert client.get(home).status_code == 200
    client.post(reverse("logout"))
    assert client.get(home).status_code == 302
    # A key that was never made is no session: a new one replaces it.
    client.cookies["sessionid"] = "no-such-session-key-at-all"
    assert client.get(home).status_code == 302


def test_the_signed_in_user_comes_with_their_roles_in_one_query(
    users, django_assert_num_queries
):
    from newsreader.roles import RolesBackend, can_annotate, can_curate

    backend = RolesBackend()
    reviewer = users["reviewer"]
    with django_assert_num_queries(1):
        user = backend.get_user(reviewer.pk)
        assert (user.pk, user.username, user.password, user.date_joined) == (
            reviewer.pk,
            reviewer.username,
            reviewer.password,
            reviewer.date_joined,
        )
        assert can_annotate(user) and not can_curate(user)
    with django_assert_num_queries(1):
        assert can_curate(backend.get_user(users["curator"].pk))
    reviewer.is_active = False
    reviewer.save()
    assert backend.get_user(reviewer.pk) is None
    assert backend.get_user(reviewer.pk + 1000) is None
