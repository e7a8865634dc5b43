from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from annotations.models import Mention, Review, Span
from newsreader.models import Alias, Article, Entity

pytestmark = pytest.mark.django_db

GOLD = json.loads(
    (settings.BASE_DIR / "fixtures/seed/000_c037270258430dbe.gold.json").read_text()
)


def seed(monkeypatch, password: str | None = "demo-pass-1") -> str:
    if password:
        monkeypatch.setenv("DEMO_PASSWORD", password)
    else:
        monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def test_seed_loads_the_article_every_gold_entity_and_mention(monkeypatch):
    seed(monkeypatch)
    article = Article.objects.get()
    assert article.source.name == "Press TV"
    assert article.title
    assert "\n\n" in article.body and "\n\n\n" not in article.body
    assert Entity.objects.count() == len(GOLD["entities"])
    expected = sum(len(entity["mentions"]) for entity in GOLD["entities"])
    assert Mention.objects.count() == expected
    for span in Span.objects.all():
        assert article.body[span.start : span.end] == span.exact
    assert Review.objects.get().status == "adjudicated"


def test_seed_aliases_link_the_other_spellings(monkeypatch):
    seed(monkeypatch)
    assert Alias.objects.get(name="Rogachyov").entity.name == "Ilya Rogachev"
    assert Alias.objects.get(name="Abadi").entity.name == "Haider al-Abadi"
    assert list(Entity.objects.search("Rogachyov"))[0].name == "Ilya Rogachev"


def test_seed_twice_duplicates_nothing(monkeypatch):
    seed(monkeypatch)
    counts = [
        m.objects.count() for m in (Article, Entity, Alias, Span, Mention, Review, User)
    ]
    seed(monkeypatch)
    assert [
        m.objects.count() for m in (Article, Entity, Alias, Span, Mention, Review, User)
    ] == counts


def test_seed_with_suggest_gives_reviewers_suggestions_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-1")
    call_command("seed", "--suggest", stdout=StringIO())
    machine = Span.objects.filter(review=None, status="suggested")
    found = sorted(machine.values_list("start", "end"))
    assert machine.filter(quote__isnull=False).exists()
    assert machine.filter(mention__isnull=False).exists()
    call_command("seed", "--suggest", stdout=StringIO())
    assert sorted(machine.values_list("start", "end")) == found


def test_seed_makes_demo_accounts_with_the_given_password(monkeypatch):
    seed(monkeypatch, "demo-pass-1")
    for username in ["reviewer", "reviewer2", "curator"]:
        assert authenticate(username=username, password="demo-pass-1")
    assert User.objects.get(username="curator").groups.filter(name="curator").exists()
    assert User.objects.get(username="curator").is_staff
    assert User.objects.get(username="reviewer").groups.filter(name="reviewer").exists()


def test_seed_without_a_password_prints_a_random_one_once(monkeypatch):
    first = seed(monkeypatch, None)
    password = first.rsplit("password ", 1)[1].strip()
    assert len(password) >= 10
    assert authenticate(username="reviewer", password=password)
    second = seed(monkeypatch, None)
    assert "password" not in second
    assert authenticate(username="reviewer", password=password)


def test_curator_may_use_the_admin_for_reading_models(monkeypatch):
    seed(monkeypatch)
    curator = User.objects.get(username="curator")
    assert curator.has_perm("newsreader.change_entity")
    assert curator.has_perm("newsreader.change_article")
    assert not User.objects.get(username="reviewer").has_perm(
        "newsreader.change_entity"
    )
