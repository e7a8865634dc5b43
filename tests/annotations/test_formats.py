from __future__ import annotations

import io
import json
import re

import pytest
import spacy
from django.core.management import CommandError, call_command
from spacy.tokens import DocBin
from spacy.training.converters import conll_ner_to_docs

from annotations import editing
from annotations.interchange import import_doccano, import_label_studio
from annotations.models import Quote, Review
from newsreader.models import Article
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

# An emoji (two UTF-16 units) before everything that is marked.
BODY = (
    "🚀 Haider al-Abadi met students of the University of Lisbon. "
    "“Theoretically, yes,” Abadi said, adding, “not now.”"
    "\n\nOfficials said “the bridge stays shut.”"
)


@pytest.fixture
def seeded(monkeypatch) -> Article:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed", verbosity=0)
    return Article.objects.get()


@pytest.fixture
def annotated(users) -> Review:
    """A review with nested mentions, a quote of two parts with a cue and a
    speaker, and a quote from a source the text describes."""
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi", aliases=("Abadi",))
    university = make_entity("University of Lisbon", kind="ORG")
    lisbon = make_entity("Lisbon", kind="PLACE")
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    editing.create_mention(review=review, start=2, end=17, entity=abadi)
    named = _at(BODY, "University of Lisbon")
    editing.create_mention(
        review=review, start=named[0], end=named[1], entity=university
    )
    place = _at(BODY, "Lisbon")
    editing.create_mention(review=review, start=place[0], end=place[1], entity=lisbon)
    said_by = _at(BODY, "Abadi said")
    speaker = editing.create_mention(
        review=review, start=said_by[0], end=said_by[0] + 5, entity=abadi
    )
    editing.create_quote(
        review=review,
        parts=[_at(BODY, "Theoretically, yes,"), _at(BODY, "not now.")],
        speaker_mention=speaker,
        cue=_at(BODY, "said"),
    )
    editing.create_quote(
        review=review,
        parts=[_at(BODY, "the bridge stays shut.")],
        type="indirect",
        speaker_description="officials",
    )
    return review


def _at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def export(fmt: str, *options: str) -> str:
    out = io.StringIO()
    call_command("export_annotations", "--format", fmt, *options, stdout=out)
    return out.getvalue()


def annotations_of(review: Review) -> tuple[list, list]:
    """A review's mentions and quotes, in a form two reviews can be compared by."""
    mentions = sorted(
        (span.start, span.end, span.mention.entity.name)
        for span in review.spans.filter(mention__isnull=False, status="accepted")
    )
    quotes = sorted(
        (
            [(p.start, p.end) for p in quote.parts.order_by("start")],
            quote.type,
            quote.speaker.name if quote.speaker else None,
            (quote.cue.start, quote.cue.end) if quote.cue else None,
        )
        for quote in review.quotes.all()
    )
    return mentions, quotes


# ---- spaCy ------------------------------------------------------------------


def test_docbin_has_the_mentions_as_entities_and_the_quotes_as_span_groups(
    annotated, tmp_path
):
    path = tmp_path / "gold.spacy"
    call_command("export_annotations", "--format", "spacy", "-o", str(path))
    [doc] = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    assert doc.text == BODY
    # The longest of nested mentions is the entity; the span group has both.
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("Haider al-Abadi", "PERSON", "Haider al-Abadi"),
        ("University of Lisbon", "ORG", "University of Lisbon"),
        ("Abadi", "PERSON", "Haider al-Abadi"),
    ]
    assert [s.text for s in doc.spans["mentions"]] == [
        "Haider al-Abadi",
        "University of Lisbon",
        "Lisbon",
        "Abadi",
    ]
    assert [(s.text, s.label_, s.id_) for s in doc.spans["quotes"]] == [
        ("Theoretically, yes,", "direct", "quote-1"),
        ("not now.", "direct", "quote-1"),
        ("the bridge stays shut.", "indirect", "quote-2"),
    ]
    assert [(s.text, s.id_) for s in doc.spans["cues"]] == [("said", "quote-1")]
    first, second = doc.user_data["quotes"]
    assert first["speaker"] == "Haider al-Abadi"
    assert BODY[slice(*first["speaker_mention"])] == "Abadi"
    assert second["speaker_description"] == "officials"
    assert doc.user_data["article"]["reviewer"] == "reviewer"


def test_a_mention_inside_a_word_is_a_token_of_its_own(users, tmp_path):
    article = make_article(body="Londoners voted.")
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    london = make_entity("London", kind="PLACE")
    editing.create_mention(review=review, start=0, end=6, entity=london)
    path = tmp_path / "gold.spacy"
    call_command("export_annotations", "--format", "spacy", "-o", str(path))
    [doc] = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    assert [(e.text, e.label_) for e in doc.ents] == [("London", "PLACE")]
    assert doc.text == "Londoners voted."


def test_binary_and_folder_formats_need_an_output_path(annotated):
    for fmt in ("spacy", "brat"):
        with pytest.raises(CommandError, match="name it with -o"):
            export(fmt)


# ---- CoNLL ------------------------------------------------------------------


def test_conll_is_a_token_a_line_with_iob_tags_that_spacy_reads(seeded):
    text = export("conll", "--review-status", "adjudicated")
    assert text.startswith("-DOCSTART- O\n\n")
    lines = text.splitlines()
    start = lines.index("Haider B-PERSON")
    assert lines[start : start + 4] == [
        "Haider B-PERSON",
        "al I-PERSON",
        "- I-PERSON",
        "Abadi I-PERSON",
    ]
    # A blank line ends each sentence.
    assert "" in lines[2:] and all(len(line.split()) == 2 for line in lines if line)
    [doc] = conll_ner_to_docs(text, n_sents=10_000, no_print=True)
    entities = [(e.text.replace(" ", ""), e.label_) for e in doc.ents]
    gold = [
        (span.exact.replace(" ", ""), span.mention.entity.kind)
        for span in seeded.spans.filter(
            mention__isnull=False, status="accepted"
        ).order_by("start")
    ]
    assert entities == gold


# ---- brat -------------------------------------------------------------------


def test_brat_writes_text_standoff_and_configuration_into_a_folder(annotated, tmp_path):
    folder = tmp_path / "brat"
    call_command("export_annotations", "--format", "brat", "-o", str(folder))
    name = f"{annotated.article.pk}-reviewer"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{name}.ann",
        f"{name}.txt",
        "annotation.conf",
    ]
    text = (folder / f"{name}.txt").read_text(encoding="utf-8")
    assert text == BODY
    lines = (folder / f"{name}.ann").read_text(encoding="utf-8").splitlines()
    bound = {}
    for line in lines:
        if line.startswith("T"):
            key, middle, words = line.split("\t")
            label, start, end = middle.split()
            # brat counts code points of the .txt, as Python does.
            assert text[int(start) : int(end)] == words
            bound[key] = (label, words)
    events = [line.split("\t")[1].split() for line in lines if line.startswith("E")]
    roles = [{role: bound[key] for role, key in map(_split, e)} for e in events]
    assert roles[0] == {
        "Quote": ("Quote", "said"),
        "Speaker": ("PERSON", "Abadi"),
        "Content": ("Quotation", "Theoretically, yes,"),
        "Content2": ("Quotation", "not now."),
    }
    # No cue: the quote's first part is its trigger; the described source a note.
    assert roles[1] == {
        "Quote": ("Quote", "the bridge stays shut."),
        "Content": ("Quotation", "the bridge stays shut."),
    }
    assert "A2\tQuoteType E2 indirect" in lines
    assert "#1\tAnnotatorNotes E2\tSpeaker: officials" in lines
    conf = (folder / "annotation.conf").read_text()
    assert "Quote\tSpeaker?:PERSON|ORG|PLACE|OTHER, Content+:Quotation" in conf


def _split(argument: str) -> tuple[str, str]:
    role, key = argument.split(":")
    return role, key


# ---- Label Studio -----------------------------------------------------------


def test_label_studio_offsets_are_code_points_and_doccanos_utf16(annotated):
    [task] = json.loads(export("label-studio"))
    assert task["data"]["text"] == BODY
    regions = {
        r["value"]["text"]: r["value"]
        for r in task["annotations"][0]["result"]
        if r["type"] == "labels"
    }
    assert (regions["Haider al-Abadi"]["start"], regions["Haider al-Abadi"]["end"]) == (
        2,
        17,
    )
    line = json.loads(export("doccano"))
    first = line["entities"][0]
    # The rocket is two UTF-16 units.
    assert (first["start_offset"], first["end_offset"], first["label"]) == (
        3,
        18,
        "PERSON",
    )
    assert line["label"][0] == [3, 18, "PERSON"]


@pytest.mark.parametrize("kind", ["label-studio", "doccano"])
def test_round_trip_gives_the_same_spans_and_speakers(seeded, tmp_path, kind):
    path = tmp_path / "export"
    call_command("export_annotations", "--format", kind, "-o", str(path))
    out = io.StringIO()
    call_command(
        "import_annotations",
        str(path),
        "--format",
        kind,
        "--reviewer",
        "annotator",
        stdout=out,
    )
    assert "51 new mention(s), 9 new quote(s)" in out.getvalue()
    gold = Review.objects.get(reviewer__username="curator")
    copy = Review.objects.get(reviewer__username="annotator")
    assert annotations_of(copy) == annotations_of(gold)


def test_label_studio_round_trip_keeps_parts_cue_speaker_and_described_source(
    annotated,
):
    tasks = json.loads(export("label-studio"))
    report = import_label_studio(data=json.dumps(tasks), reviewer_name="reviewer2")
    assert report.errors == []
    copy = Review.objects.get(reviewer__username="reviewer2")
    assert annotations_of(copy) == annotations_of(annotated)
    quote = copy.quotes.get(type="direct")
    assert quote.speaker_mention.span.exact == "Abadi"
    described = copy.quotes.get(type="indirect")
    assert (described.speaker, described.speaker_description) == (None, "officials")


def test_bad_label_studio_tasks_are_reported_by_number_and_the_rest_imported(
    annotated,
):
    [good] = json.loads(export("label-studio"))
    wrong_words = json.loads(json.dumps(good))
    wrong_words["annotations"][0]["result"][0]["value"]["text"] = "Someone else"
    unknown_label = json.loads(json.dumps(good))
    unknown_label["annotations"][0]["result"][0]["value"]["labels"] = ["EVENT"]
    two = {**good, "annotations": good["annotations"] * 2}
    report = import_label_studio(
        data=json.dumps(
            [wrong_words, {"data": {}}, unknown_label, two, "a task?", good]
        ),
        reviewer_name="reviewer2",
    )
    messages = dict(report.errors)
    assert sorted(messages) == [1, 2, 3, 4, 5]
    assert "'Someone else'" in messages[1]
    assert "'text'" in messages[2]
    assert "'EVENT' is not one of the labels" in messages[3]
    assert "ground truth" in messages[4]
    assert report.articles == 1 and report.quotes == 2


def test_import_command_refuses_a_file_that_is_not_label_studio_json(
    annotated, tmp_path
):
    path = tmp_path / "tasks.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Not JSON"):
        call_command(
            "import_annotations",
            str(path),
            "--format",
            "label-studio",
            "--reviewer",
            "x",
        )
    path.write_text('{"data": {}}', encoding="utf-8")
    with pytest.raises(CommandError, match="a list of tasks"):
        call_command(
            "import_annotations",
            str(path),
            "--format",
            "label-studio",
            "--reviewer",
            "x",
        )


# ---- doccano ----------------------------------------------------------------


def test_doccano_round_trip_converts_utf16_back_to_code_points(annotated):
    lines = [export("doccano")]
    report = import_doccano(file=lines, reviewer_name="reviewer2")
    assert report.errors == []
    copy = Review.objects.get(reviewer__username="reviewer2")
    mentions, quotes = annotations_of(copy)
    assert mentions == annotations_of(annotated)[0]
    assert quotes == annotations_of(annotated)[1]
    # doccano has no place for a described source: that quote has no speaker.
    assert Quote.objects.get(review=copy, type="indirect").speaker_description == ""


def test_bad_doccano_lines_are_reported_by_number_and_the_rest_imported(annotated):
    line = json.loads(export("doccano"))
    inside_the_rocket = {"text": BODY, "label": [[1, 5, "PERSON"]]}
    plain = {"text": BODY, "label": [[3, 18, "PERSON"]]}
    bad_relation = {**line, "relations": [{"from_id": 1, "to_id": 99, "type": "cue"}]}
    report = import_doccano(
        file=[
            json.dumps(inside_the_rocket),
            "{oops",
            json.dumps(bad_relation),
            json.dumps(plain),
        ],
        reviewer_name="reviewer2",
    )
    messages = dict(report.errors)
    assert sorted(messages) == [1, 2, 3]
    assert "falls inside a character" in messages[1]
    assert messages[2].startswith("Not JSON")
    assert "99" in messages[3]
    copy = Review.objects.get(reviewer__username="reviewer2")
    [(start, end, name)] = annotations_of(copy)[0]
    assert (BODY[start:end], name) == ("Haider al-Abadi", "Haider al-Abadi")


def test_doccano_relations_must_join_the_right_labels(annotated):
    line = json.loads(export("doccano"))
    # The speaker relation turned round to point from a quote to a quote.
    parts = [e["id"] for e in line["entities"] if e["label"] == "DIRECT"]
    line["relations"] = [
        {"id": 1, "from_id": parts[0], "to_id": parts[1], "type": "speaker"}
    ]
    report = import_doccano(file=[json.dumps(line)], reviewer_name="reviewer2")
    [(number, message)] = report.errors
    assert number == 1 and re.search("goes between a quote and a mention", message)
    assert not Review.objects.filter(reviewer__username="reviewer2").exists()
