from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from annotations import editing
from annotations.export import web_annotations
from annotations.interchange import (
    export_jsonl,
    export_jsonld,
    export_quotes_csv,
    import_jsonl,
)
from annotations.models import Mention, Quote, Review, Span
from newsreader.models import Alias, Article, Entity
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

SEED = settings.BASE_DIR / "fixtures/seed"
GOLD = json.loads((SEED / "000_c037270258430dbe.gold.json").read_text())
TEXT = (SEED / "000_c037270258430dbe.txt").read_text(encoding="utf-8")
# One line of shared/seed/gold.jsonl: the gold record with its text.
GOLD_LINE = json.dumps(
    {
        "id": "000_c037270258430dbe",
        "source": "Press TV",
        "text": TEXT,
        "quotes": GOLD["quotes"],
        "entities": GOLD["entities"],
    },
    ensure_ascii=False,
)
MODELS = (Article, Entity, Alias, Span, Mention, Quote, Review, User)


@pytest.fixture
def seeded(monkeypatch) -> Article:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed", verbosity=0)
    return Article.objects.get()


def records(reviews=None) -> list[dict]:
    reviews = Review.objects.all() if reviews is None else reviews
    return [json.loads(line) for line in export_jsonl(reviews)]


def counts() -> list[int]:
    return [model.objects.count() for model in MODELS]


def import_lines(lines: list[str], reviewer: str = "importer", **options):
    return import_jsonl(
        file=[line + "\n" for line in lines], reviewer_name=reviewer, **options
    )


def test_export_writes_each_review_in_the_seed_gold_shape(seeded):
    [record] = records()
    assert record["id"] == str(seeded.pk)
    assert record["text"] == seeded.body
    assert record["reviewer"] == "curator"
    assert record["review_status"] == "adjudicated"
    body = seeded.body
    for item in record["quotes"]:
        assert body[item["start"] : item["end"]] == item["text"]
        assert body[item["cue_start"] : item["cue_end"]] == item["cue"]
    assert sorted(
        (q["text"], q["speaker"], q["cue"], q["type"]) for q in record["quotes"]
    ) == sorted((q["text"], q["speaker"], q["cue"], q["type"]) for q in GOLD["quotes"])
    exported = Counter(
        (e["name"], e["kind"], m["text"])
        for e in record["entities"]
        for m in e["mentions"]
    )
    gold = Counter(
        (e["name"], e["kind"], m["text"])
        for e in GOLD["entities"]
        for m in e["mentions"]
    )
    assert exported == gold
    for entity in record["entities"]:
        for mention in entity["mentions"]:
            assert body[mention["start"] : mention["end"]] == mention["text"]
    rogachev = next(e for e in record["entities"] if e["name"] == "Ilya Rogachev")
    assert rogachev["aliases"] == ["Rogachyov"]


def test_export_import_export_gives_the_same_lines(seeded):
    before = records()
    Review.objects.all().delete()
    assert not Span.objects.exists()
    report = import_lines(
        [json.dumps(r, ensure_ascii=False) for r in before],
        reviewer="curator",
        status="adjudicated",
    )
    assert report.errors == []
    assert (report.mentions, report.quotes) == (51, 9)
    assert records() == before


def test_round_trip_keeps_a_quote_of_two_parts_its_cue_and_an_unnamed_speaker(users):
    body = "“Theoretically, yes,” Rogachyov said, adding, “not now.” Then “Maybe.”"
    article = make_article(body=body)
    speaker = make_entity("Ilya Rogachev", aliases=("Rogachyov",))
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    name = body.index("Rogachyov")
    mention = editing.create_mention(
        review=review, start=name, end=name + 9, entity=speaker
    )
    first, second = body.index("Theoretically"), body.index("not now")
    cue = body.index("said")
    editing.create_quote(
        review=review,
        parts=[(first, first + 19), (second, second + 8)],
        speaker_mention=mention,
        cue=(cue, cue + 4),
    )
    maybe = body.index("Maybe")
    editing.create_quote(review=review, parts=[(maybe, maybe + 6)], type="partial")

    [original] = records()
    report = import_lines([json.dumps(original)], reviewer="reviewer2")
    assert report.errors == []
    copy = Review.objects.get(reviewer__username="reviewer2")
    [again] = records(Review.objects.filter(pk=copy.pk))
    assert {**again, "reviewer": "reviewer", "review_status": "in_progress"} == original
    split = copy.quotes.get(speaker=speaker)
    assert [p.exact for p in split.parts.order_by("start")] == [
        "Theoretically, yes,",
        "not now.",
    ]
    assert (split.cue.start, split.cue.exact) == (cue, "said")
    assert split.speaker_mention.span.start == name
    assert copy.quotes.get(speaker=None).type == "partial"


def test_round_trip_keeps_the_mention_a_quote_is_attributed_to(users):
    body = "Haider al-Abadi spoke. Later Abadi said “Not yet.”"
    article = make_article(body=body)
    abadi = make_entity("Haider al-Abadi", aliases=("Abadi",))
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    chosen = editing.create_mention(review=review, start=0, end=15, entity=abadi)
    near = body.index("Abadi said")
    editing.create_mention(review=review, start=near, end=near + 5, entity=abadi)
    words = body.index("Not yet.")
    editing.create_quote(
        review=review, parts=[(words, words + 8)], speaker_mention=chosen
    )
    [record] = records()
    assert (
        record["quotes"][0]["speaker_start"],
        record["quotes"][0]["speaker_end"],
    ) == (
        0,
        15,
    )
    assert import_lines([json.dumps(record)], reviewer="reviewer2").errors == []
    copy = Quote.objects.get(review__reviewer__username="reviewer2")
    # Not the nearest mention, which an import picks when the record is silent.
    assert copy.speaker_mention.span.start == 0


def test_a_speaker_that_is_none_of_the_mentions_is_a_message(users):
    article = make_article(body="Abadi said “Not yet.”")
    record = {
        "text": article.body,
        "quotes": [
            {
                "start": 12,
                "end": 20,
                "text": "Not yet.",
                "speaker": "Abadi",
                "speaker_start": 0,
                "speaker_end": 5,
            }
        ],
    }
    [(number, message)] = import_lines([json.dumps(record)]).errors
    assert number == 1 and "none of the record's mentions" in message
    assert not Quote.objects.exists()


def test_a_described_source_goes_out_in_every_format_and_comes_back(users):
    body = "“The bridge stays shut,” officials said."
    article = make_article(body=body)
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    editing.create_quote(
        review=review, parts=[(1, 23)], speaker_description="officials"
    )
    [record] = records()
    assert record["quotes"][0]["speaker"] is None
    assert record["quotes"][0]["speaker_description"] == "officials"
    [_, row] = csv.reader(io.StringIO("".join(export_quotes_csv(Review.objects.all()))))
    assert row[4] == "officials"
    [collection] = export_jsonld(Review.objects.all(), lambda path: path)
    [annotation] = collection["first"]["items"]
    assert {"type": "TextualBody", "purpose": "identifying", "value": "officials"} in (
        annotation["body"]
    )
    report = import_lines([json.dumps(record)], reviewer="reviewer2")
    assert report.errors == []
    copy = Quote.objects.get(review__reviewer__username="reviewer2")
    assert (copy.speaker, copy.speaker_description) == (None, "officials")


def test_importing_the_same_file_twice_creates_nothing_new(seeded):
    import_lines([GOLD_LINE])
    after_first = counts()
    report = import_lines([GOLD_LINE])
    assert (report.articles, report.mentions, report.quotes) == (1, 0, 0)
    assert counts() == after_first


def test_import_makes_the_named_reviewer_and_the_missing_entities(db):
    make_article(body=TEXT)
    report = import_lines([GOLD_LINE], reviewer="gold-annotator")
    assert report.errors == []
    user = User.objects.get(username="gold-annotator")
    assert list(user.groups.values_list("name", flat=True)) == ["reviewer"]
    assert not user.has_usable_password()
    review = Review.objects.get()
    assert (review.reviewer, review.status) == (user, "submitted")
    assert review.submitted_at is not None
    assert Entity.objects.count() == len(GOLD["entities"])
    assert Entity.objects.get(name="Moscow").kind == "PLACE"
    assert Alias.objects.get(name="Rogachyov").entity.name == "Ilya Rogachev"
    assert review.spans.filter(mention__isnull=False).count() == 51
    assert review.quotes.count() == 9


def test_import_adds_to_a_reviewers_existing_entities_instead_of_copying_them(
    seeded,
):
    entities = Entity.objects.count()
    import_lines([GOLD_LINE])
    assert Entity.objects.count() == entities


def test_a_bad_line_is_reported_with_its_number_and_the_others_are_imported(db):
    make_article(body=TEXT)
    other = make_article(body="Abadi spoke in Baghdad.")
    wrong_words = json.loads(GOLD_LINE)
    wrong_words["quotes"][-1]["text"] = "words that are not there"
    good_other = {
        "text": other.body,
        "entities": [
            {
                "name": "Baghdad",
                "kind": "PLACE",
                "mentions": [{"start": 15, "end": 22, "text": "Baghdad"}],
            }
        ],
    }
    report = import_lines(
        [
            "{not json",
            json.dumps(wrong_words),
            json.dumps({"text": "An article nobody imported."}),
            json.dumps({"quotes": []}),
            "",
            json.dumps(["a", "list"]),
            json.dumps(good_other),
        ]
    )
    assert [number for number, _ in report.errors] == [1, 2, 3, 4, 6]
    messages = dict(report.errors)
    assert messages[1].startswith("Not JSON")
    assert "'words that are not there'" in messages[2]
    assert "import the article first" in messages[3]
    assert "'text'" in messages[4]
    assert report.articles == 1
    # Line 2 failed at its last quote: nothing of it stays, not even its entities.
    assert list(Span.objects.values_list("exact", flat=True)) == ["Baghdad"]
    assert list(Entity.objects.values_list("name", flat=True)) == ["Baghdad"]


def test_import_finds_the_article_by_url_then_by_text_with_white_space_changes(db):
    body = "First paragraph.\n\nAbadi said no."
    make_article(body=body, url="https://x.example/a")
    syndicated = make_article(body=body, url="https://y.example/b")
    record = {
        "url": "https://y.example/b",
        "text": "First  paragraph.\nAbadi said no.",
        "entities": [
            {
                "name": "Abadi",
                "kind": "PERSON",
                "mentions": [{"start": 18, "end": 23, "text": "Abadi"}],
            }
        ],
    }
    assert import_lines([json.dumps(record)]).errors == []
    span = Span.objects.get()
    assert (span.article, body[span.start : span.end]) == (syndicated, "Abadi")
    # Without a URL the text finds the first of the two.
    assert import_lines([json.dumps({**record, "url": ""})]).errors == []
    assert Span.objects.exclude(article=syndicated).get().exact == "Abadi"


def test_offsets_outside_the_text_are_a_message_not_a_crash(db):
    make_article(body="Abadi spoke.")
    record = {
        "text": "Abadi spoke.",
        "entities": [
            {"name": "Abadi", "mentions": [{"start": -3, "end": 5, "text": "Abadi"}]}
        ],
    }
    [(number, message)] = import_lines([json.dumps(record)]).errors
    assert number == 1 and "not a span of the text" in message


def test_quotes_csv_has_a_row_per_quote_with_article_source_date_and_speaker(seeded):
    rows = list(
        csv.DictReader(io.StringIO("".join(export_quotes_csv(Review.objects.all()))))
    )
    assert len(rows) == len(GOLD["quotes"])
    not_yet = next(row for row in rows if row["words"] == "Not yet,")
    assert not_yet == {
        "article_id": str(seeded.pk),
        "article": seeded.title,
        "source": "Press TV",
        "date": "2015-10-01",
        "speaker": "Haider al-Abadi",
        "words": "Not yet,",
        "type": "direct",
        "reviewer": "curator",
    }


def test_quotes_csv_joins_the_parts_of_a_quote_and_defuses_formulas(users):
    article = make_article(title="=HYPERLINK(1)", body="“One,” he said, “two.”")
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    editing.create_quote(review=review, parts=[(1, 5), (17, 21)])
    [row] = list(
        csv.DictReader(io.StringIO("".join(export_quotes_csv(Review.objects.all()))))
    )
    assert row["words"] == "One, … two."
    assert row["article"] == "'=HYPERLINK(1)"
    assert row["speaker"] == ""


def test_json_ld_export_is_the_web_annotation_collection_of_each_review(seeded):
    absolute = "http://example.org{}".format
    [collection] = export_jsonld(Review.objects.all(), absolute)
    spans = (
        Span.objects.filter(article=seeded)
        .select_related("review__reviewer", "mention__entity", "quote__speaker")
        .order_by("start", "end")
    )
    assert collection == web_annotations(seeded, spans, absolute)
    assert collection["total"] == 51 + 9


def test_export_leaves_out_spans_that_are_not_accepted(seeded):
    span = Span.objects.filter(mention__entity__name="Iran").get()
    editing.set_spans_status(spans=[span], status="rejected")
    [record] = records()
    assert "Iran" not in {entity["name"] for entity in record["entities"]}


def test_export_command_filters_and_writes_each_format(seeded, tmp_path):
    other = make_article(body="Abadi spoke.")
    reviewer = User.objects.get(username="reviewer")
    review = editing.start_review(article=other, reviewer=reviewer)
    editing.create_mention(review=review, start=0, end=5, entity=make_entity("Abadi"))
    out = tmp_path / "out.jsonl"
    call_command("export_annotations", "--review-status", "in_progress", "-o", str(out))
    [line] = out.read_text().splitlines()
    assert json.loads(line)["text"] == "Abadi spoke."

    out = io.StringIO()
    call_command("export_annotations", "--article", str(seeded.pk), stdout=out)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [
        str(seeded.pk)
    ]

    out = io.StringIO()
    call_command("export_annotations", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("article_id,article,source")

    out = io.StringIO()
    call_command(
        "export_annotations",
        "--format",
        "jsonld",
        "--base-url",
        "https://n.example/",
        stdout=out,
    )
    collections = json.loads(out.getvalue())
    assert len(collections) == 2
    assert collections[0]["id"].startswith("https://n.example/articles/")


def test_import_command_reads_a_file_and_reports_bad_lines(seeded, tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("oops\n" + GOLD_LINE + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 line"):
        call_command(
            "import_annotations", str(path), "--reviewer", "ann", stdout=out, stderr=err
        )
    assert "line 1: Not JSON" in err.getvalue()
    assert "51 new mention(s), 9 new quote(s)" in out.getvalue()
    assert Review.objects.filter(reviewer__username="ann").exists()


def test_import_command_refuses_a_bad_reviewer_name_and_a_missing_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot be a user name"):
        call_command("import_annotations", str(path), "--reviewer", "no spaces please")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_annotations", str(tmp_path / "missing.jsonl"), "--reviewer", "x"
        )
