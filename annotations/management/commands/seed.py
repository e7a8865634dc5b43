"""Load the seed article, its entities and gold annotations, and demo accounts.

Safe to run any number of times: rows are matched and updated, never doubled.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from annotations.editing import start_review
from annotations.gold import load_gold, resolve_entity
from annotations.models import Review
from annotations.suggest.store import suggest_article
from newsreader.models import Article, Entity, Source
from newsreader.roles import CURATOR, REVIEWER
from newsreader.text import canonical_body

SEED_DIR = settings.BASE_DIR / "fixtures" / "seed"
DEMO_USERS = {"reviewer": REVIEWER, "reviewer2": REVIEWER, "curator": CURATOR}


class Command(BaseCommand):
    help = "Load the seed article with its gold annotations, and the demo accounts."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--suggest",
            action="store_true",
            help="also make suggestions on the seed article, so a reviewer "
            "starts from them rather than from a blank page",
        )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            groups = ensure_groups()
            users, password = ensure_demo_users(groups, os.environ.get("DEMO_PASSWORD"))
            article = load_seed_article(
                SEED_DIR / "article.json", curator=users["curator"]
            )
            if options["suggest"]:
                # Running again replaces them with the same ones.
                suggest_article(article=article)
        self.stdout.write(f"Seed article: {article.title} (/articles/{article.pk}/)")
        if password:
            accounts = ", ".join(DEMO_USERS)
            self.stdout.write(
                self.style.WARNING(f"Demo accounts {accounts}: password {password}")
            )


def ensure_groups() -> dict[str, Group]:
    reviewer, _ = Group.objects.get_or_create(name=REVIEWER)
    curator, _ = Group.objects.get_or_create(name=CURATOR)
    curator.permissions.set(
        Permission.objects.filter(
            # The task queue too: curators see failed imports and their errors.
            content_type__app_label__in=[
                "newsreader",
                "annotations",
                "django_tasks_database",
            ]
        )
    )
    return {REVIEWER: reviewer, CURATOR: curator}


def ensure_demo_users(
    groups: dict[str, Group], password: str | None
) -> tuple[dict, str | None]:
    """The demo accounts; returns a new random password if one was made.

    With ``password`` given every account gets it; without, only accounts
    made now get a random one, so a password already shown keeps working.
    """
    User = get_user_model()
    generated = None
    users = {}
    for username, group in DEMO_USERS.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": group == CURATOR}
        )
        if password or created:
            if not password:
                generated = generated or secrets.token_urlsafe(9)
            user.set_password(password or generated)
            user.save()
        user.groups.add(groups[group])
        users[username] = user
    return users, generated


def load_seed_article(path: Path, *, curator) -> Article:
    meta = json.loads(path.read_text())
    raw = (path.parent / meta["text"]).read_text(encoding="utf-8")
    gold = json.loads((path.parent / meta["gold"]).read_text(encoding="utf-8"))
    body = canonical_body(raw)

    source, _ = Source.objects.update_or_create(
        name=meta["source"]["name"], defaults={"domain": meta["source"]["domain"]}
    )
    article, _ = Article.objects.update_or_create(
        body_sha256=Article.hash_body(body),
        defaults={
            "source": source,
            "title": meta["title"],
            "published_at": dt.datetime.fromisoformat(meta["published_at"]),
            "language": meta["language"],
            "body": body,
        },
    )
    for item in gold["entities"]:
        entity = resolve_entity(item["name"], item["kind"])
        Entity.objects.filter(pk=entity.pk).update(
            **meta["entities"].get(item["name"], {})
        )

    # The curator's adjudicated review is the gold; load it once.
    review = start_review(article=article, reviewer=curator)
    if not review.spans.exists():
        review.status = Review.Status.IN_PROGRESS
        load_gold(review=review, record={**gold, "text": raw})
    review.status = Review.Status.ADJUDICATED
    review.save()
    return article
