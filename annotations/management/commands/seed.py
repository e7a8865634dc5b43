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
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from annotations.models import Mention, Review, Span
from annotations.spans import quote_selector
from newsreader.models import Alias, Article, Entity, Source
from newsreader.text import canonical_body, normalize_name

SEED_DIR = settings.BASE_DIR / "fixtures" / "seed"
DEMO_USERS = {"reviewer": "reviewer", "reviewer2": "reviewer", "curator": "curator"}


class Command(BaseCommand):
    help = "Load the seed article with its gold annotations, and the demo accounts."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            groups = ensure_groups()
            users, password = ensure_demo_users(groups, os.environ.get("DEMO_PASSWORD"))
            article = load_seed_article(
                SEED_DIR / "article.json", curator=users["curator"]
            )
        self.stdout.write(f"Seed article: {article.title} (/articles/{article.pk}/)")
        if password:
            accounts = ", ".join(DEMO_USERS)
            self.stdout.write(
                self.style.WARNING(f"Demo accounts {accounts}: password {password}")
            )


def ensure_groups() -> dict[str, Group]:
    reviewer, _ = Group.objects.get_or_create(name="reviewer")
    curator, _ = Group.objects.get_or_create(name="curator")
    curator.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["newsreader", "annotations"]
        )
    )
    return {"reviewer": reviewer, "curator": curator}


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
            username=username, defaults={"is_staff": group == "curator"}
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
    sha = Article.hash_body(body)
    article, _ = Article.objects.update_or_create(
        body_sha256=sha,
        defaults={
            "source": source,
            "title": meta["title"],
            "published_at": dt.datetime.fromisoformat(meta["published_at"]),
            "language": meta["language"],
            "body": body,
        },
    )
    review, _ = Review.objects.update_or_create(
        article=article,
        reviewer=curator,
        defaults={"status": Review.Status.ADJUDICATED},
    )
    for item in gold["entities"]:
        entity = upsert_entity(item, meta["entities"].get(item["name"], {}))
        for mention in item["mentions"]:
            start, end = _to_body_offsets(raw, body, mention)
            span, _ = Span.objects.update_or_create(
                article=article,
                review=review,
                start=start,
                end=end,
                defaults={
                    **quote_selector(body, start, end)._asdict(),
                    "status": Span.Status.ACCEPTED,
                    "origin": Span.Origin.HUMAN,
                },
            )
            Mention.objects.update_or_create(span=span, defaults={"entity": entity})
    return article


def upsert_entity(item: dict, extra: dict) -> Entity:
    entity, _ = Entity.objects.update_or_create(
        slug=slugify(item["name"]),
        defaults={"name": item["name"], "kind": item["kind"], **extra},
    )
    for name in item.get("aliases", []):
        Alias.objects.get_or_create(
            entity=entity, normalized=normalize_name(name), defaults={"name": name}
        )
    return entity


def _to_body_offsets(raw: str, body: str, mention: dict) -> tuple[int, int]:
    """Move gold offsets from the one-paragraph-a-line file to the body.

    The body differs from the file only by a second newline between
    paragraphs, so each offset moves by the newlines before it.
    """
    start = mention["start"] + raw.count("\n", 0, mention["start"])
    end = mention["end"] + raw.count("\n", 0, mention["end"])
    if body[start:end] != mention["text"]:
        raise CommandError(
            f"Gold mention {mention['text']!r} does not match the body at {start}:{end}"
        )
    return start, end
