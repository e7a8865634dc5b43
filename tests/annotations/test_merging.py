"""Merging duplicate entities, splitting one, and undoing both."""

from __future__ import annotations

import doctest

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations import merging
from annotations.editing import create_quote
from annotations.entity_admin import merge_url
from annotations.merging import (
    MergeError,
    merge_entities,
    plan_merge,
    split_entity,
    undo_merge,
    undo_split,
)
from annotations.models import Mention, Quote, Span
from newsreader.models import Alias, DistinctPair, Entity
from tests.factories import make_article, make_entity, make_gold_mention

pytestmark = pytest.mark.django_db

BODY = (
    "Ilya Rogachev spoke first. Rogachyov said the talks were over.\n\n"
    "Later Mr Rogachyov added more. The Kremlin agreed."
)


def state() -> dict:
    """Everything a merge may change, to compare before and after undo."""
    return {
        "entities": sorted(Entity.objects.values_list("pk", "name", "merged_into")),
        "aliases": sorted(Alias.objects.values_list("pk", "entity", "normalized")),
        "mentions": sorted(Mention.objects.values_list("pk", "entity")),
        "quotes": sorted(Quote.objects.values_list("pk", "speaker", "speaker_mention")),
    }


@pytest.fixture
def duplicates(users):
    """Ilya Rogachev and a duplicate "Rogachyov", each with mentions; one quote."""
    article = make_article(title="Talks", body=BODY)
    target = make_entity("Ilya Rogachev", aliases=("Rogachev", "I. Rogachev"))
    source = make_entity("Rogachyov", aliases=("Mr Rogachyov", "Rogachev"))
    make_gold_mention(article, target, "Ilya Rogachev", curator=users["curator"])
    speaker = make_gold_mention(article, source, "Rogachyov", curator=users["curator"])
    make_gold_mention(article, source, "Mr Rogachyov", curator=users["curator"])
    review = speaker.span.review
    review.status = "in_progress"
    review.save()
    quote = create_quote(
        review=review,
        parts=[(BODY.index("the talks"), BODY.index(" were"))],
        speaker_mention=speaker,
    )
    return {"article": article, "target": target, "source": source, "quote": quote}


def test_merge_moves_aliases_mentions_and_quotes_to_the_target(duplicates, users):
    target, source = duplicates["target"], duplicates["source"]
    result = merge_entities(target=target, sources=[source], user=users["curator"])
    source.refresh_from_db()
    assert source.merged_into == target
    assert set(target.aliases.values_list("normalized", flat=True)) == {
        "rogachev",
        "i. rogachev",
        "mr rogachyov",
        "rogachyov",  # the source's own name
    }
    # The alias the target had already stays on the source: nothing is deleted.
    assert list(source.aliases.values_list("normalized", flat=True)) == ["rogachev"]
    assert not Mention.objects.filter(entity=source).exists()
    assert Mention.objects.filter(entity=target).count() == 3
    duplicates["quote"].refresh_from_db()
    assert duplicates["quote"].speaker == target
    assert result.aliases_moved == 1
    assert result.aliases_added == 1
    assert result.moved == {"annotations.Mention": 2, "annotations.Quote": 1}


def test_merge_keeps_the_source_and_its_url_redirects_to_the_target(duplicates, client):
    target, source = duplicates["target"], duplicates["source"]
    merge_entities(target=target, sources=[source])
    response = client.get(source.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()


def test_merge_is_recorded_in_history_with_the_curator(duplicates, users):
    result = merge_entities(
        target=duplicates["target"],
        sources=[duplicates["source"]],
        user=users["curator"],
    )
    records = Mention.history.filter(
        history_change_reason__startswith=f"merge {result.token}"
    )
    assert records.count() == 2
    assert {r.history_user for r in records} == {users["curator"]}


def test_undo_merge_restores_exactly_the_previous_state(duplicates, users):
    before = state()
    result = merge_entities(target=duplicates["target"], sources=[duplicates["source"]])
    assert state() != before
    assert undo_merge(token=result.token, user=users["curator"]) > 0
    assert state() == before


def test_undo_merge_works_for_rows_made_before_history_was_kept(duplicates):
    # Rows created before django-simple-history was switched on have no records.
    for model in (Entity, Alias, Mention, Quote):
        model.history.all().delete()
    before = state()
    result = merge_entities(target=duplicates["target"], sources=[duplicates["source"]])
    undo_merge(token=result.token)
    assert state() == before


def test_undo_merge_twice_is_refused(duplicates):
    result = merge_entities(target=duplicates["target"], sources=[duplicates["source"]])
    undo_merge(token=result.token)
    with pytest.raises(MergeError, match="undone already"):
        undo_merge(token=result.token)


def test_undo_merge_is_refused_when_a_moved_row_changed_since(duplicates):
    target, source = duplicates["target"], duplicates["source"]
    result = merge_entities(target=target, sources=[source])
    other = make_entity("Someone Else")
    mention = Mention.objects.filter(entity=target).last()
    mention.entity = other
    mention.save()
    before = state()
    with pytest.raises(MergeError, match="changed since"):
        undo_merge(token=result.token)
    assert state() == before


@pytest.mark.parametrize("token", ["", "abc", "0" * 32, "merge x"])
def test_undo_merge_with_an_unknown_token_is_refused(db, token):
    with pytest.raises(MergeError):
        undo_merge(token=token)


def test_merging_several_sources_at_once(duplicates):
    third = make_entity("Ilia Rogachev", aliases=("Rogatchev",))
    merge_entities(target=duplicates["target"], sources=[duplicates["source"], third])
    assert set(Entity.objects.filter(merged_into=duplicates["target"])) == {
        duplicates["source"],
        third,
    }
    assert duplicates["target"].aliases.filter(normalized="rogatchev").exists()


def test_merge_into_a_merged_target_follows_it_to_the_canonical_entity(duplicates):
    target, source = duplicates["target"], duplicates["source"]
    merge_entities(target=target, sources=[source])
    third = make_entity("Ilya Rogatchev")
    result = merge_entities(target=source, sources=[third])
    assert result.target == target
    third.refresh_from_db()
    assert third.merged_into == target


def test_merging_an_entity_into_itself_is_refused(duplicates):
    target = duplicates["target"]
    with pytest.raises(MergeError, match="into itself"):
        merge_entities(target=target, sources=[target])


def test_merging_a_source_that_was_merged_already_is_refused(duplicates):
    target, source = duplicates["target"], duplicates["source"]
    merge_entities(target=target, sources=[source])
    source.refresh_from_db()
    with pytest.raises(MergeError, match="already merged"):
        merge_entities(target=make_entity("Other"), sources=[source])


def test_merging_into_an_entity_merged_into_the_source_is_refused(duplicates):
    target, source = duplicates["target"], duplicates["source"]
    merge_entities(target=target, sources=[source])
    with pytest.raises(MergeError, match="into itself"):
        merge_entities(target=source, sources=[target])


def test_merging_different_kinds_needs_confirmation(duplicates):
    place = make_entity("Rogachev", kind="PLACE")
    target = duplicates["target"]
    with pytest.raises(MergeError, match="different kinds"):
        merge_entities(target=target, sources=[place])
    assert not Entity.objects.filter(merged_into=target).exists()
    merge_entities(target=target, sources=[place], allow_different_kinds=True)
    place.refresh_from_db()
    assert place.merged_into == target


def test_a_refused_merge_changes_nothing(duplicates):
    before = state()
    with pytest.raises(MergeError):
        merge_entities(
            target=duplicates["target"],
            sources=[duplicates["source"], duplicates["target"]],
        )
    assert state() == before


def test_every_foreign_key_to_entity_is_moved_by_a_merge_and_kept_in_history():
    # A new model pointing at Entity must be handled: this list is what
    # merge_entities was written and tested for. Add the new one here only
    # once a merge moves it and undo restores it (it needs HistoricalRecords).
    relations = {
        (r.related_model._meta.label, r.field.name)
        for r in Entity._meta.related_objects
    }
    assert relations == {
        ("newsreader.Alias", "entity"),
        ("newsreader.Entity", "merged_into"),
        ("annotations.Mention", "entity"),
        ("annotations.Quote", "speaker"),
        # Judgements about a source: they stay with it (see _references).
        ("newsreader.DistinctPair", "one"),
        ("newsreader.DistinctPair", "two"),
    }
    for model in merging._history_models():
        assert hasattr(model, "history"), model


def test_plan_merge_lists_what_will_move_per_article(duplicates):
    second = make_article(title="More talks", body="Rogachyov was there.")
    make_gold_mention(
        second,
        duplicates["source"],
        "Rogachyov",
        curator=duplicates["quote"].review.reviewer,
    )
    plan = plan_merge(target=duplicates["target"], sources=[duplicates["source"]])
    assert [a.normalized for a in plan.aliases] == ["mr rogachyov"]
    assert [a.normalized for a in plan.kept_aliases] == ["rogachev"]
    assert plan.new_names == ["Rogachyov"]
    assert (plan.mentions, plan.quotes) == (3, 1)
    assert [(a.title, a.mentions, a.quotes) for a in plan.articles] == [
        ("Talks", 2, 1),
        ("More talks", 1, 0),
    ]
    assert not Entity.objects.filter(merged_into__isnull=False).exists()


def test_split_moves_chosen_aliases_and_their_mentions_to_a_new_entity(
    duplicates, users
):
    target, source = duplicates["target"], duplicates["source"]
    merge_entities(target=target, sources=[source])
    chosen = target.aliases.filter(normalized__in=["rogachyov", "mr rogachyov"])
    result = split_entity(
        entity=target, aliases=chosen, name="Pyotr Rogachyov", user=users["curator"]
    )
    new = result.entity
    assert (new.kind, new.name, new.slug) == (
        "PERSON",
        "Pyotr Rogachyov",
        "pyotr-rogachyov",
    )
    assert set(new.aliases.values_list("normalized", flat=True)) == {
        "rogachyov",
        "mr rogachyov",
    }
    assert sorted(
        Mention.objects.filter(entity=new).values_list("span__exact", flat=True)
    ) == [
        "Mr Rogachyov",
        "Rogachyov",
    ]
    assert list(
        Mention.objects.filter(entity=target).values_list("span__exact", flat=True)
    ) == ["Ilya Rogachev"]
    duplicates["quote"].refresh_from_db()
    assert duplicates["quote"].speaker == new


def test_undo_split_restores_the_entity_and_removes_the_new_one(duplicates):
    target = duplicates["target"]
    before = state()
    result = split_entity(
        entity=target, aliases=target.aliases.filter(normalized="rogachev"), name="X"
    )
    undo_split(token=result.token)
    assert state() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"aliases": [], "name": "New"}, "at least one alias"),
        ({"name": "  "}, "needs a name"),
    ],
)
def test_split_refuses_bad_input(duplicates, kwargs, message):
    target = duplicates["target"]
    kwargs = {"aliases": list(target.aliases.all()), **kwargs}
    with pytest.raises(MergeError, match=message):
        split_entity(entity=target, **kwargs)


def test_split_refuses_aliases_of_another_entity(duplicates):
    with pytest.raises(MergeError, match="Only aliases"):
        split_entity(
            entity=duplicates["target"],
            aliases=duplicates["source"].aliases.all(),
            name="New",
        )


# The management command


def test_merge_entities_command_takes_slugs_or_ids(duplicates, capsys):
    target, source = duplicates["target"], duplicates["source"]
    third = make_entity("Ilia Rogachev")
    call_command("merge_entities", target.slug, str(source.pk), third.slug)
    assert set(Entity.objects.filter(merged_into=target)) == {source, third}
    out = capsys.readouterr().out
    assert "Merged 2 entities into Ilya Rogachev" in out
    token = Entity.history.filter(id=source.pk).first().history_change_reason.split()[1]
    assert f"--undo {token}" in out


def test_merge_entities_command_undoes(duplicates, capsys):
    before = state()
    call_command("merge_entities", duplicates["target"].slug, duplicates["source"].slug)
    undo = capsys.readouterr().out.splitlines()[-1].rpartition(" ")[2]
    call_command("merge_entities", "--undo", undo)
    assert state() == before
    assert "rows restored" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "rogachyov"], "No entity 'nobody'"),
        (["ilya-rogachev"], "at least one SOURCE"),
        (["ilya-rogachev", "ilya-rogachev"], "into itself"),
        ([], "TARGET"),
    ],
)
def test_merge_entities_command_explains_bad_input(duplicates, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("merge_entities", *args)


# The admin pages


def merge_page(*ids, **params) -> str:
    return merge_url(list(ids), **params)


@pytest.fixture
def curator_client(client, users):
    client.force_login(users["curator"])
    return client


def test_entity_merge_action_leads_to_the_confirmation_page(duplicates, curator_client):
    target, source = duplicates["target"], duplicates["source"]
    response = curator_client.post(
        reverse("admin:newsreader_entity_changelist"),
        {"action": "merge_selected", "_selected_action": [target.pk, source.pk]},
    )
    assert response.status_code == 302
    page = curator_client.get(response["Location"])
    assert page.status_code == 200
    plan = page.context["plan"]
    # The one with more mentions is offered as the target.
    assert plan.target == source
    html = page.content.decode()
    assert "Talks" in html  # the per-article counts
    assert not Entity.objects.filter(merged_into__isnull=False).exists()


def test_entity_merge_offers_a_confirmed_entity_over_a_machine_guess(
    duplicates, curator_client
):
    article = duplicates["article"]
    full = make_entity("Ana Lucía Ferreira")
    guess = make_entity("Ferreira", status="suggested")
    for start in (0, 6, 20):  # the machine's own suggestions: no review
        span = Span.objects.create(
            article=article, start=start, end=start + 4, exact=BODY[start : start + 4]
        )
        Mention.objects.create(span=span, entity=guess)
    page = curator_client.get(merge_page(guess.pk, full.pk))
    assert page.context["plan"].target == full
    # Of two confirmed entities with no mentions, the fuller name.
    short = make_entity("Ferreira", slug="ferreira-2")
    assert curator_client.get(merge_page(short.pk, full.pk)).context["plan"].target == (
        full
    )


def test_entity_merge_confirmation_shows_what_moves_to_the_chosen_target(
    duplicates, curator_client
):
    target, source = duplicates["target"], duplicates["source"]
    response = curator_client.get(merge_page(target.pk, source.pk, target=target.pk))
    plan = response.context["plan"]
    assert plan.target == target
    assert plan.sources == [source]
    assert (plan.mentions, plan.quotes) == (2, 1)
    assert "Mr Rogachyov" in response.content.decode()


def test_entity_merge_post_merges_and_offers_undo(duplicates, curator_client):
    target, source = duplicates["target"], duplicates["source"]
    before = state()
    response = curator_client.post(
        reverse("admin:newsreader_entity_merge"),
        {"ids": [target.pk, source.pk], "target": target.pk},
        follow=True,
    )
    source.refresh_from_db()
    assert source.merged_into == target
    assert response.redirect_chain[-1][0] == reverse(
        "admin:newsreader_entity_change", args=[target.pk]
    )
    message = str(list(response.context["messages"])[0])
    assert "Merged Rogachyov into Ilya Rogachev" in message
    undo_url = message.split('href="')[1].split('"')[0]
    assert curator_client.get(undo_url).status_code == 200
    response = curator_client.post(undo_url)
    assert response.status_code == 302
    assert state() == before
    # A second undo is refused with a message, not a 500.
    assert curator_client.post(undo_url).status_code == 400


def test_entity_merge_of_different_kinds_needs_the_box_ticked(
    duplicates, curator_client
):
    target = duplicates["target"]
    place = make_entity("Rogachev", kind="PLACE")
    url = reverse("admin:newsreader_entity_merge")
    data = {"ids": [target.pk, place.pk], "target": target.pk}
    response = curator_client.post(url, data)
    assert response.status_code == 400
    assert "different kinds" in response.content.decode()
    assert (
        curator_client.post(url, {**data, "allow_different_kinds": "on"}).status_code
        == 302
    )
    place.refresh_from_db()
    assert place.merged_into == target


@pytest.mark.parametrize(
    "query",
    ["", "?ids=1", "?ids=x&ids=y", "?ids=999998&ids=999999"],
)
def test_entity_merge_with_bad_input_is_a_400(db, curator_client, query):
    response = curator_client.get(reverse("admin:newsreader_entity_merge") + query)
    assert response.status_code == 400


def test_entity_merge_target_outside_the_selection_is_a_400(duplicates, curator_client):
    other = make_entity("Third")
    response = curator_client.get(
        merge_page(duplicates["target"].pk, duplicates["source"].pk, target=other.pk)
    )
    assert response.status_code == 400


def test_entity_merge_of_an_already_merged_entity_is_a_400(duplicates, curator_client):
    target, source = duplicates["target"], duplicates["source"]
    merge_entities(target=target, sources=[source])
    response = curator_client.post(
        reverse("admin:newsreader_entity_merge"),
        {"ids": [target.pk, source.pk], "target": target.pk},
    )
    assert response.status_code == 400
    assert "already merged" in response.content.decode()


def test_entity_split_page_splits_off_chosen_aliases(duplicates, curator_client):
    source = duplicates["source"]
    alias = source.aliases.get(normalized="mr rogachyov")
    url = reverse("admin:newsreader_entity_split", args=[source.pk])
    page = curator_client.get(url)
    assert page.status_code == 200
    assert ("Mr Rogachyov", 1) in [(a.name, n) for a, n in page.context["choices"]]
    response = curator_client.post(url, {"aliases": [alias.pk], "name": "Mr R."})
    new = Entity.objects.get(name="Mr R.")
    assert response.status_code == 302
    assert list(new.aliases.all()) == [alias]
    assert Mention.objects.filter(entity=new).count() == 1


def test_entity_split_without_aliases_is_a_400(duplicates, curator_client):
    url = reverse("admin:newsreader_entity_split", args=[duplicates["source"].pk])
    response = curator_client.post(url, {"name": "New"})
    assert response.status_code == 400
    assert Entity.objects.count() == 2


def test_entity_duplicates_lists_alike_entities_of_one_kind(duplicates, curator_client):
    make_entity("Rogachev", kind="PLACE")  # alike, but another kind
    make_entity("Someone Else")
    response = curator_client.get(reverse("admin:newsreader_entity_duplicates"))
    assert response.status_code == 200
    pairs = [(pair.one, pair.two) for pair, _ in response.context["rows"]]
    assert pairs == [(duplicates["target"], duplicates["source"])]
    merge_link = response.context["rows"][0][1]
    assert curator_client.get(merge_link).context["plan"].sources


def test_entity_duplicates_leaves_out_merged_entities(duplicates, curator_client):
    merge_entities(target=duplicates["target"], sources=[duplicates["source"]])
    response = curator_client.get(reverse("admin:newsreader_entity_duplicates"))
    assert response.context["rows"] == []


def test_a_pair_judged_different_is_no_longer_offered(duplicates, curator_client):
    target, source = duplicates["target"], duplicates["source"]
    other = make_entity("Ilya Rogachyova")
    page = reverse("admin:newsreader_entity_duplicates") + "?similarity=0.5"
    assert (target, source) in offered(curator_client.get(page))
    response = curator_client.post(
        reverse("admin:newsreader_entity_different"),
        {"one": source.pk, "two": target.pk, "next": page},  # either way round
    )
    assert response.status_code == 302
    assert response["Location"] == page
    pair = DistinctPair.objects.get()
    assert (pair.one, pair.two, pair.decided_by.username) == (target, source, "curator")
    shown = offered(curator_client.get(page))
    assert (target, source) not in shown
    assert (target, other) in shown  # the others still are
    # Judged again (a second click): still one pair.
    curator_client.post(
        reverse("admin:newsreader_entity_different"),
        {"one": target.pk, "two": source.pk},
    )
    assert DistinctPair.objects.count() == 1
    # Deleting the pair in its admin list offers it again.
    pair.delete()
    assert (target, source) in offered(curator_client.get(page))


def offered(response) -> list[tuple[Entity, Entity]]:
    assert response.status_code == 200
    return [(pair.one, pair.two) for pair, _ in response.context["rows"]]


@pytest.mark.parametrize(
    "data",
    [{}, {"one": 1}, {"one": "x", "two": "y"}, "same", "merged"],
)
def test_judging_a_pair_different_refuses_bad_input_with_400(
    duplicates, curator_client, data
):
    target, source = duplicates["target"], duplicates["source"]
    if data == "same":
        data = {"one": target.pk, "two": target.pk}
    elif data == "merged":
        merge_entities(target=target, sources=[source])
        data = {"one": target.pk, "two": source.pk}
    url = reverse("admin:newsreader_entity_different")
    response = curator_client.post(url, data)
    assert response.status_code == 400
    assert response.text.startswith("Not two entities to tell apart:")
    assert curator_client.get(url).status_code == 405
    assert not DistinctPair.objects.exists()


def test_judging_a_pair_different_does_not_follow_a_link_elsewhere(
    duplicates, curator_client
):
    target, source = duplicates["target"], duplicates["source"]
    response = curator_client.post(
        reverse("admin:newsreader_entity_different"),
        {"one": target.pk, "two": source.pk, "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == reverse("admin:newsreader_entity_duplicates")


def test_a_merge_leaves_the_sources_judgements_behind(duplicates):
    target, source = duplicates["target"], duplicates["source"]
    third = make_entity("Rogachyova")
    DistinctPair.objects.create(one=source, two=third)
    merge_entities(target=target, sources=[source])
    pair = DistinctPair.objects.get()
    assert (pair.one, pair.two) == (source, third)


def test_likely_duplicates_filters_by_kind_and_similarity(db):
    rogachev = make_entity("Ilya Rogachev")
    rogachyov = make_entity("Rogachyov")
    paris = make_entity("Paris", kind="PLACE")
    pariss = make_entity("Pariss", kind="PLACE")
    assert [(p.one, p.two) for p in merging.likely_duplicates(kind="PLACE")] == [
        (paris, pariss)
    ]
    found = {(p.one, p.two) for p in merging.likely_duplicates()}
    assert found == {(paris, pariss), (rogachev, rogachyov)}
    assert merging.likely_duplicates(threshold=0.95) == []


def test_likely_duplicates_finds_names_that_differ_only_in_accents(db):
    accented = make_entity("Enrique Peña Nieto")
    plain = make_entity("Enrique Pena Nieto", slug="pena-nieto")
    pairs = merging.likely_duplicates(threshold=0.99)
    assert [(p.one, p.two, p.similarity) for p in pairs] == [(accented, plain, 1.0)]


def test_likely_duplicates_pages_through_entities_newest_first(db):
    old = make_entity("Ilya Rogachev")
    make_entity("Unrelated Name")
    new = make_entity("Rogachyov")
    assert [(p.one, p.two) for p in merging.likely_duplicates(size=1)] == [(old, new)]
    assert merging.likely_duplicates(size=1, offset=1) == []


@pytest.mark.parametrize(
    "query", ["?similarity=2", "?similarity=x", "?kind=ALIEN", "?page=0"]
)
def test_entity_duplicates_with_bad_input_is_a_400(db, curator_client, query):
    response = curator_client.get(reverse("admin:newsreader_entity_duplicates") + query)
    assert response.status_code == 400


# Who may


def curator_urls(duplicates) -> list[str]:
    target, source = duplicates["target"], duplicates["source"]
    return [
        merge_page(target.pk, source.pk),
        reverse("admin:newsreader_entity_duplicates"),
        reverse("admin:newsreader_entity_split", args=[source.pk]),
        reverse("admin:newsreader_entity_undo", args=["merge", "0" * 32]),
    ]


@pytest.mark.parametrize("who", ["reader", "reviewer", "outsider"])
def test_entity_merge_pages_are_forbidden_to_all_but_curators(
    duplicates, client, users, who
):
    client.force_login(users[who])
    for url in curator_urls(duplicates):
        assert client.get(url).status_code == 403, url
    target, source = duplicates["target"], duplicates["source"]
    response = client.post(
        reverse("admin:newsreader_entity_merge"),
        {"ids": [target.pk, source.pk], "target": target.pk},
    )
    assert response.status_code == 403
    assert not Entity.objects.filter(merged_into__isnull=False).exists()
    response = client.post(
        reverse("admin:newsreader_entity_different"),
        {"one": target.pk, "two": source.pk},
    )
    assert response.status_code == 403
    assert not DistinctPair.objects.exists()


def test_entity_merge_pages_are_forbidden_to_staff_who_are_not_curators(
    duplicates, client, users
):
    staff = users["reviewer"]
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    for url in curator_urls(duplicates):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("admin:newsreader_entity_changelist"),
        {
            "action": "merge_selected",
            "_selected_action": [duplicates["target"].pk, duplicates["source"].pk],
        },
    )
    assert response.status_code == 403


def test_entity_merge_pages_send_the_anonymous_to_log_in(duplicates, client):
    for url in curator_urls(duplicates):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_entity_admin_shows_merge_tools_only_to_curators(duplicates, curator_client):
    changelist = curator_client.get(reverse("admin:newsreader_entity_changelist"))
    assert "merge_selected" in changelist.content.decode()
    assert reverse("admin:newsreader_entity_duplicates") in changelist.content.decode()
    change = curator_client.get(
        reverse("admin:newsreader_entity_change", args=[duplicates["source"].pk])
    )
    assert (
        reverse("admin:newsreader_entity_split", args=[duplicates["source"].pk])
        in change.content.decode()
    )


def test_docstring_examples_of_merging():
    result = doctest.testmod(merging)
    assert result.attempted > 0
    assert result.failed == 0


def test_merges_are_undone_last_first(duplicates):
    target, source = duplicates["target"], duplicates["source"]
    before = state()
    first = merge_entities(target=source, sources=[make_entity("Rogachyov Jr")])
    second = merge_entities(target=target, sources=[source])
    with pytest.raises(MergeError, match="changed since"):
        undo_merge(token=first.token)
    undo_merge(token=second.token)
    undo_merge(token=first.token)
    assert state() == {**before, "entities": state()["entities"]}
    assert not Entity.objects.filter(merged_into__isnull=False).exists()
