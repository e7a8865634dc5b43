from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from annotations.evaluation import (
    GoldFileError,
    Report,
    Score,
    evaluate,
    match,
    overlap,
    read_gold,
    same_person,
)
from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
from tests.factories import make_entity

SEED = settings.BASE_DIR / "fixtures" / "seed"


def seed_gold_jsonl(folder: Path) -> Path:
    """The seed as one gold JSONL record, in the shape of shared/seed/gold.jsonl,
    made from the repository's own copy of the seed."""
    gold = json.loads((SEED / "000_c037270258430dbe.gold.json").read_text())
    text = (SEED / gold["file"]).read_text(encoding="utf-8")
    record = {
        "id": "000_c037270258430dbe",
        "source": gold["source"],
        "text": text,
        "quotes": gold["quotes"],
        "entities": gold["entities"],
    }
    path = folder / "gold.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def run_evaluate(*args: str) -> dict:
    out = StringIO()
    call_command("evaluate", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


# The arithmetic --------------------------------------------------------------


def test_score_computes_precision_recall_and_f1_by_hand():
    score = Score(tp=3, predicted=4, gold=6)
    assert score.precision == 0.75
    assert score.recall == 0.5
    assert score.f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)  # 0.6


def test_an_empty_side_scores_zero_not_a_division_error():
    assert Score(0, 0, 5).precision == 0.0
    assert Score(0, 3, 0).recall == 0.0
    assert Score(0, 0, 0).f1 == 0.0


def test_scores_add_up_their_counts():
    assert Score(1, 2, 3) + Score(4, 5, 6) == Score(5, 7, 9)


def test_overlap_is_the_shared_part_of_the_longer_span():
    assert overlap((0, 10), (0, 10)) == 1.0
    assert overlap((0, 10), (5, 15)) == 0.5
    assert overlap((0, 4), (0, 10)) == 0.4
    assert overlap((0, 5), (5, 9)) == 0.0


def test_exact_matching_pairs_equal_spans_once_each():
    assert match([(0, 5), (0, 5), (7, 9)], [(0, 5), (7, 10)]) == [(0, 0)]


def test_overlap_matching_takes_the_best_pairs_first_and_each_once():
    predicted = [(0, 10), (2, 12)]
    gold = [(2, 12)]
    # (2, 12) fits exactly; (0, 10) would have matched at 0.8 but gold is used.
    assert match(predicted, gold, min_overlap=0.5) == [(1, 0)]
    assert match([(0, 10)], [(6, 20)], min_overlap=0.5) == []


def test_speakers_are_the_same_by_entity_name_or_surname():
    entry = GazetteerEntry(1, "Ilya Rogachev", "PERSON")
    assert same_person(
        "Ilya Rogachev", "Rogachyov", gold_entry=entry, predicted_entry=entry
    )
    assert same_person("Feridun Sinirlioğlu", "feridun sinirlioglu")
    assert same_person("Feridun Sinirlioğlu", "Sinirlioğlu")
    assert not same_person("Ilya Rogachev", "Sergei Kuralenko")
    assert not same_person("Ilya Rogachev", "")


def test_evaluate_counts_a_record_by_hand():
    text = "“We will appeal,” said Jane Okafor. The mayor visited Lagos."
    record = {
        "text": text,
        "quotes": [
            {"start": 1, "end": 16, "text": "We will appeal,", "speaker": "Okafor"}
        ],
        "entities": [
            {"name": "Jane Okafor", "mentions": [{"start": 23, "end": 34}]},
            {"name": "Lagos", "mentions": [{"start": 54, "end": 59}]},
            # A mention the gazetteer cannot find: one false negative.
            {"name": "The mayor", "mentions": [{"start": 36, "end": 45}]},
        ],
    }
    gazetteer = Gazetteer.from_entities(
        [
            (GazetteerEntry(1, "Jane Okafor", "PERSON"), []),
            (GazetteerEntry(2, "Lagos", "PLACE"), []),
        ]
    )
    report = evaluate([record], gazetteer)
    assert report.mentions_exact == Score(tp=2, predicted=2, gold=3)
    assert report.quotes_exact == Score(tp=1, predicted=1, gold=1)
    assert (report.speakers_right, report.speakers_judged) == (1, 1)
    assert report.as_dict()["mentions_exact"]["recall"] == pytest.approx(0.6667)


def test_a_speaker_in_no_entity_table_is_judged_by_name():
    text = "“The sea gives and takes,” said Tomasz Wielki."
    record = {
        "text": text,
        "quotes": [{"start": 1, "end": 25, "speaker": "Tomasz Wielki"}],
    }
    report = evaluate([record], Gazetteer([]))
    assert report.quotes_overlap.f1 == 1.0
    assert report.speaker_accuracy == 1.0


def test_the_report_reads_as_a_table():
    text = Report(records=1, quotes_exact=Score(1, 2, 1)).as_text()
    assert "quotes, exact" in text and "0.500" in text and "speakers" in text


# Reading gold files ------------------------------------------------------------


def test_read_gold_names_the_line_of_a_bad_record(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "ok"}\n\n{"text": \n', encoding="utf-8")
    with pytest.raises(GoldFileError, match="line 3: not JSON"):
        read_gold(path)
    path.write_text('{"quotes": []}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match="line 1: a record needs a 'text'"):
        read_gold(path)


def test_read_gold_refuses_a_missing_file_and_bytes_that_are_not_utf8(tmp_path):
    with pytest.raises(GoldFileError, match="Cannot read"):
        read_gold(tmp_path / "nope.jsonl")
    (tmp_path / "latin.jsonl").write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(GoldFileError, match="not UTF-8"):
        read_gold(tmp_path / "latin.jsonl")


def test_evaluate_command_turns_a_bad_file_into_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("evaluate", str(tmp_path / "missing.jsonl"))


# The seed ------------------------------------------------------------------------


def test_on_the_seed_with_its_own_entities_quotes_and_speakers_are_perfect(
    db, tmp_path
):
    figures = run_evaluate(str(seed_gold_jsonl(tmp_path)), "--with-gold-entities")
    assert figures["records"] == 1
    assert figures["quotes_overlap"]["f1"] == 1.0
    assert figures["quotes_exact"]["f1"] == 1.0
    assert figures["speakers"]["accuracy"] == 1.0
    assert figures["speakers"]["judged"] == 9
    assert figures["mentions_exact"]["f1"] >= 0.9
    assert figures["mentions_overlap"]["f1"] >= 0.9


def test_on_the_seed_with_the_seeded_entity_table_the_figures_hold(db, tmp_path):
    call_command("seed", stdout=StringIO())
    figures = run_evaluate(str(seed_gold_jsonl(tmp_path)))
    assert figures["quotes_overlap"]["f1"] == 1.0
    assert figures["speakers"]["accuracy"] == 1.0
    assert figures["mentions_exact"]["f1"] >= 0.9


def test_without_any_entities_mentions_fail_and_the_report_says_so(db, tmp_path):
    figures = run_evaluate(str(seed_gold_jsonl(tmp_path)))
    assert figures["mentions_exact"]["recall"] < 0.2
    # Quotes come from the marks alone; speakers need names.
    assert figures["quotes_overlap"]["f1"] == 1.0


def test_evaluate_prints_a_table_naming_the_gazetteer(db, tmp_path):
    make_entity("Daesh", kind="ORG")
    out = StringIO()
    call_command("evaluate", str(seed_gold_jsonl(tmp_path)), stdout=out)
    text = out.getvalue()
    assert "1 gold records; 1 names from the entity table." in text
    assert "mentions, exact" in text and "speakers, on matched" in text
