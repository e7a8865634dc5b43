from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
import spacy
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from annotations.agreement import parts_overlap
from annotations.evaluation import (
    GoldFileError,
    GoldQuote,
    Report,
    Score,
    gold_quotes,
    in_split,
    is_held_out,
    match,
    match_quotes,
    overlap,
    overlapping_pairs,
    parse_types,
    read_gold,
    same_name,
    same_surname,
    score_record,
)
from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
from annotations.suggest.results import FoundMention, FoundQuote, Suggestions
from tests.factories import make_entity

SEED_GOLD = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "gold.jsonl"
ANA = GazetteerEntry(1, "Ana Ruiz", "PERSON")
LUIS = GazetteerEntry(2, "Luis Ruiz", "PERSON")
GAZETTEER = Gazetteer.from_entities([(ANA, []), (LUIS, [])])


def found_quote(
    *parts: tuple[int, int],
    type: str = "direct",
    speaker: GazetteerEntry | None = None,
    speaker_name: str | None = None,
    speaker_words: tuple[int, int] | None = None,
) -> FoundQuote:
    return FoundQuote(
        parts=list(parts),
        type=type,
        cue=None,
        speaker_mention=None,
        speaker=speaker,
        speaker_name=speaker.name if speaker and speaker_name is None else "",
        confidence=1.0,
        speaker_words=speaker_words,
    )


def gold_item(start: int, end: int, **fields) -> dict:
    return {"start": start, "end": end, "type": "direct", **fields}


def write_jsonl(folder: Path, *records: dict) -> Path:
    path = folder / "gold.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


def run_evaluate(*args: str) -> dict:
    out = StringIO()
    call_command("evaluate", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def rules_alone(settings):
    # The trained model may not be built here; a test that wants one says so.
    settings.NEWSREADER_SPACY_MODEL = ""


# Spans and matching ------------------------------------------------------------


def test_score_computes_precision_recall_and_f1_by_hand():
    score = Score(tp=3, predicted=4, gold=6)
    assert (score.precision, score.recall) == (0.75, 0.5)
    assert score.f1 == pytest.approx(0.6)
    assert Score(0, 0, 5).precision == Score(0, 3, 0).recall == Score(0, 0, 0).f1 == 0


def test_overlap_is_the_shared_part_of_the_longer_span():
    assert overlap((0, 10), (5, 15)) == 0.5
    assert overlap((0, 4), (0, 10)) == 0.4
    assert overlap((0, 5), (5, 9)) == 0.0


def test_exact_matching_pairs_equal_spans_once_each():
    assert match([(0, 5), (0, 5), (7, 9)], [(0, 5), (7, 10)]) == [(0, 0)]


def test_overlap_matching_takes_the_best_pairs_first_and_each_once():
    # (2, 12) fits exactly; (0, 10) would have matched at 0.8 but gold is used.
    assert match([(0, 10), (2, 12)], [(2, 12)], min_overlap=0.5) == [(1, 0)]
    assert match([(0, 10)], [(6, 20)], min_overlap=0.5) == []


spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda s: (s[0], sum(s))),
    max_size=12,
)


@given(spans, spans)
def test_the_sweep_finds_exactly_the_pairs_that_share_a_character(a, b):
    everything = [
        (i, j)
        for i, x in enumerate(a)
        for j, y in enumerate(b)
        if x[0] < y[1] and y[0] < x[1]
    ]
    assert overlapping_pairs(a, b) == everything


def test_a_quote_s_overlap_counts_all_its_parts_against_the_longer_quote():
    # 10 of the 20 characters of the two-part quote.
    assert parts_overlap([(0, 10), (20, 30)], [(0, 10)]) == 0.5
    assert parts_overlap([(0, 10), (20, 30)], [(0, 10), (20, 30)]) == 1.0
    assert parts_overlap([(0, 10), (20, 30)], [(0, 30)]) == pytest.approx(2 / 3)
    assert parts_overlap([(0, 4)], [(0, 10)]) == 0.4


def test_quotes_match_best_first_and_only_at_half_or_more():
    predicted = [[(0, 10), (20, 30)], [(50, 54)]]
    gold = [[(0, 10)], [(0, 10), (20, 30)], [(50, 60)]]
    assert match_quotes(predicted, gold) == [(0, 1)]


# Quotes, per type and per quote ------------------------------------------------

TEXT = "x" * 200


def test_an_indirect_suggestion_is_no_false_positive_when_scoring_direct_quotes():
    record = {
        "text": TEXT,
        "quotes": [gold_item(10, 30), gold_item(50, 90, type="indirect")],
    }
    found = Suggestions(
        quotes=[found_quote((10, 30)), found_quote((100, 140), type="indirect")]
    )
    direct_only = score_record(record, found, GAZETTEER, types=("direct",))
    assert set(direct_only.rows) == {"direct", "all"}
    assert direct_only.rows["all"].quotes_overlap == Score(1, 1, 1)
    assert direct_only.rows["all"].parts_exact == Score(1, 1, 1)
    # Unfiltered, the indirect suggestion is wrong against the indirect gold
    # and the direct row does not see it.
    every = score_record(record, found, GAZETTEER)
    assert every.rows["direct"].quotes_overlap == Score(1, 1, 1)
    assert every.rows["indirect"].quotes_overlap == Score(0, 1, 1)
    assert every.rows["all"].quotes_overlap == Score(1, 2, 2)


def test_the_all_row_ignores_types_and_each_type_row_compares_like_with_like():
    record = {"text": TEXT, "quotes": [gold_item(10, 30, type="mixed")]}
    found = Suggestions(quotes=[found_quote((10, 30))])  # called direct
    report = score_record(record, found, GAZETTEER)
    assert report.rows["all"].quotes_overlap == Score(1, 1, 1)
    assert report.rows["direct"].quotes_overlap == Score(0, 1, 0)
    assert report.rows["partial"].quotes_overlap == Score(0, 0, 1)


def test_parts_sharing_an_attribution_are_one_gold_quote():
    two_parts = found_quote((10, 30), (40, 60))
    grouped = {
        "text": TEXT,
        "quotes": [
            gold_item(10, 30, attribution="E1"),
            gold_item(40, 60, attribution="E1"),
            gold_item(100, 120, attribution="E2"),
        ],
    }
    report = score_record(grouped, Suggestions(quotes=[two_parts]), GAZETTEER)
    assert report.rows["all"].quotes_overlap == Score(1, 1, 2)
    assert report.rows["all"].parts_exact == Score(2, 2, 3)
    # Without the attribution each item is a quote of its own: the two-part
    # suggestion is half of each and matches one of them only.
    alone = {"text": TEXT, "quotes": [gold_item(10, 30), gold_item(40, 60)]}
    report = score_record(alone, Suggestions(quotes=[two_parts]), GAZETTEER)
    assert report.rows["all"].quotes_overlap == Score(1, 1, 2)
    assert report.rows["all"].parts_exact == Score(2, 2, 2)


def test_gold_quotes_group_by_attribution_and_read_mixed_as_partial():
    quotes = gold_quotes(
        {
            "text": "-" * 30,
            "quotes": [
                gold_item(0, 4, attribution="E1", type="mixed", speaker="he"),
                gold_item(9, 12),
                gold_item(
                    5,
                    8,
                    attribution="E1",
                    speaker="he",
                    speaker_start=20,
                    speaker_end=22,
                ),
            ],
        }
    )
    assert quotes == [
        GoldQuote(((0, 4), (5, 8)), ("partial", "direct"), "he", (20, 22)),
        GoldQuote(((9, 12),), ("direct",)),
    ]
    assert quotes[0].of_types({"direct"}) == GoldQuote(
        ((5, 8),), ("direct",), "he", (20, 22)
    )
    assert quotes[1].of_types({"indirect"}) is None


def test_a_mixed_gold_part_is_scored_as_the_quoted_words_it_holds():
    text = "He said the plan was “a disaster” and “a mess”. She left."
    content = text.index("the plan"), text.index(". She")
    quotes = gold_quotes({"text": text, "quotes": [gold_item(*content, type="mixed")]})
    assert [[text[s:e] for s, e in q.parts] for q in quotes] == [
        ["a disaster", "a mess"]
    ]
    quoting_nothing = gold_quotes(
        {"text": text, "quotes": [gold_item(0, 6, type="mixed")]}
    )
    assert quoting_nothing[0].parts == ((0, 6),)


# Speakers --------------------------------------------------------------------


def speakers_of(record: dict, found: Suggestions) -> dict:
    return score_record(record, found, GAZETTEER).rows["all"].speakers.as_dict()


def test_a_shared_surname_is_not_the_same_speaker_but_is_reported_apart():
    assert not same_name("Ana Ruiz", "Luis Ruiz")
    assert same_surname("Ana Ruiz", "Luis Ruiz")
    record = {"text": TEXT, "quotes": [gold_item(10, 30, speaker="Ana Ruiz")]}
    wrong = speakers_of(
        record, Suggestions(quotes=[found_quote((10, 30), speaker=LUIS)])
    )
    assert wrong["judged"] == 1
    assert wrong["strict"]["right"] == wrong["strict_or_same_words"]["right"] == 0
    assert wrong["surname_only"]["right"] == 1
    right = speakers_of(
        record, Suggestions(quotes=[found_quote((10, 30), speaker=ANA)])
    )
    assert right["strict"]["right"] == 1 and right["surname_only"]["right"] == 0


def test_a_speaker_is_the_same_by_entity_or_normalised_full_name():
    assert same_name("Ilya Rogachev", "Rogachyov", gold_entry=ANA, predicted_entry=ANA)
    assert same_name("Feridun Sinirlioğlu", "FERIDUN SINIRLIOGLU")
    assert not same_name("Feridun Sinirlioğlu", "Sinirlioğlu")


def test_a_quote_without_a_suggested_speaker_is_judged_wrong():
    record = {"text": TEXT, "quotes": [gold_item(10, 30, speaker="Ana Ruiz")]}
    speakers = speakers_of(record, Suggestions(quotes=[found_quote((10, 30))]))
    assert speakers["judged"] == 1 and speakers["strict"]["accuracy"] == 0.0


def test_taking_the_gold_speaker_words_earns_same_words_credit():
    # Gold: "she" at 40–43 spoke; the suggester took "she" and made it Ana.
    record = {
        "text": TEXT,
        "quotes": [gold_item(10, 30, speaker="she", speaker_start=40, speaker_end=43)],
    }
    took_she = found_quote((10, 30), speaker=ANA, speaker_words=(40, 43))
    speakers = speakers_of(record, Suggestions(quotes=[took_she]))
    assert speakers["with_gold_speaker_words"] == 1
    assert speakers["strict"]["right"] == 0
    assert speakers["strict_or_same_words"]["right"] == 1
    elsewhere = found_quote((10, 30), speaker=ANA, speaker_words=(60, 63))
    speakers = speakers_of(record, Suggestions(quotes=[elsewhere]))
    assert speakers["strict_or_same_words"]["right"] == 0


def test_a_mention_in_the_gold_speaker_words_resolved_to_the_speaker_earns_credit():
    # Gold: "Ruiz" at 40–44; the suggester read Ana Ruiz there and made her
    # the speaker through words of its own elsewhere.
    record = {
        "text": TEXT,
        "quotes": [gold_item(10, 30, speaker="Ruiz", speaker_start=40, speaker_end=44)],
    }
    mention = FoundMention(40, 44, "Ruiz", ANA, "Ana Ruiz", "PERSON")
    quote = found_quote((10, 30), speaker=ANA, speaker_words=(80, 83))
    found = Suggestions(mentions=[mention], quotes=[quote])
    assert speakers_of(record, found)["strict_or_same_words"]["right"] == 1
    luis = found_quote((10, 30), speaker=LUIS, speaker_words=(80, 83))
    found = Suggestions(mentions=[mention], quotes=[luis])
    assert speakers_of(record, found)["strict_or_same_words"]["right"] == 0


def test_a_quote_carried_on_earns_credit_as_whom_its_cue_words_were_read():
    # “A,” he said. “B.”: gold gives "he" at 40–42 for B too; the suggester
    # read "he" as Ana for A, and carried Ana on to B, which took no words.
    record = {
        "text": TEXT,
        "quotes": [gold_item(50, 70, speaker="he", speaker_start=40, speaker_end=42)],
    }
    first = found_quote((10, 30), speaker=ANA, speaker_words=(40, 42))
    carried = found_quote((50, 70), speaker=ANA)
    found = Suggestions(quotes=[first, carried])
    assert speakers_of(record, found)["strict_or_same_words"]["right"] == 1
    other = found_quote((50, 70), speaker=LUIS)
    found = Suggestions(quotes=[first, other])
    assert speakers_of(record, found)["strict_or_same_words"]["right"] == 0
    # Without a reading of "he" anywhere, a speaker is only a guess.
    found = Suggestions(quotes=[carried])
    assert speakers_of(record, found)["strict_or_same_words"]["right"] == 0


# Mentions, splits and types ------------------------------------------------------


def test_without_gold_entities_there_is_no_mention_figure():
    found = Suggestions(
        mentions=[FoundMention(0, 8, "Ana Ruiz", ANA, "Ana Ruiz", "PERSON")]
    )
    report = score_record({"text": TEXT, "quotes": []}, found, GAZETTEER)
    assert report.mentions_exact is None
    assert report.as_dict()["mentions"] is None
    assert "mentions: no gold entities" in report.as_text()
    listed = score_record({"text": TEXT, "entities": []}, found, GAZETTEER)
    assert listed.mentions_exact == Score(0, 1, 0)


def test_quoted_words_no_gold_part_touches_are_counted_by_kind():
    text = "A “Big Day” Ahead\nHe called it “dumb” and “The Long Goodbye” twice."
    found = Suggestions(
        quotes=[
            found_quote((3, 10)),
            found_quote((32, 36), type="partial"),
            found_quote((43, 59), type="partial"),
            found_quote((3, 10), type="indirect"),
        ]
    )
    record = {"text": text, "quotes": [gold_item(32, 36)]}
    report = score_record(record, found, GAZETTEER)
    assert report.not_quotes == {"headline": 1, "title": 1}
    assert report.as_dict()["not_quotes"]["title"] == 1
    assert "no gold part touches (2): in a headline 1" in report.as_text()


def test_reports_add_up_record_by_record():
    found = Suggestions(quotes=[found_quote((10, 30))])
    total = Report()
    for _ in range(3):
        total.add(
            score_record(
                {"text": TEXT, "quotes": [gold_item(10, 30)]}, found, GAZETTEER
            )
        )
    assert total.records == 3
    assert total.rows["all"].parts_exact == Score(3, 3, 3)


def test_the_held_out_split_is_fixed_and_about_one_in_five():
    ids = [f"synthetic-{n}" for n in range(5000)]
    held_out = [i for i in ids if is_held_out(i)]
    assert held_out == [i for i in ids if is_held_out(i)]
    assert 0.18 < len(held_out) / len(ids) < 0.22
    # A fixed rule: sha256 of the id, as a number, divisible by 5.
    assert [n for n in range(10) if is_held_out(f"article-{n}")] == [0, 4, 6]


def test_develop_and_held_out_part_the_records_and_unsplittable_ones_stay_in():
    records = [{"id": f"a{n}"} for n in range(100)]
    develop = [r for r in records if in_split(r, "develop")]
    held_out = [r for r in records if in_split(r, "held-out")]
    assert len(develop) + len(held_out) == 100 and held_out
    assert not {r["id"] for r in develop} & {r["id"] for r in held_out}
    assert all(in_split({"text": ""}, split) for split in ("develop", "held-out"))


def test_types_read_a_comma_list_and_refuse_an_unknown_one():
    assert parse_types("indirect,direct") == ("direct", "indirect")
    assert parse_types("mixed") == ("partial",)
    with pytest.raises(ValueError, match="use direct, partial, indirect"):
        parse_types("direct,quoted")


# Reading gold files ----------------------------------------------------------------


def test_read_gold_names_the_line_of_a_bad_record(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "ok"}\n\n{"text": \n', encoding="utf-8")
    with pytest.raises(GoldFileError, match="line 3: not JSON"):
        read_gold(path)
    path.write_text('{"quotes": []}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match="line 1: a record needs a 'text'"):
        read_gold(path)


def test_read_gold_refuses_a_quote_outside_the_text_or_of_an_unknown_type(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "abc", "quotes": [{"start": 1, "end": 9}]}\n')
    with pytest.raises(GoldFileError, match="line 1: quote 1–9 is not a span"):
        read_gold(path)
    quote = {"start": 0, "end": 2, "type": "reported"}
    path.write_text(json.dumps({"text": "abc", "quotes": [quote]}) + "\n")
    with pytest.raises(GoldFileError, match="'reported' is not a quote type"):
        read_gold(path)


def test_read_gold_refuses_a_missing_file_and_bytes_that_are_not_utf8(tmp_path):
    with pytest.raises(GoldFileError, match="Cannot read"):
        read_gold(tmp_path / "nope.jsonl")
    (tmp_path / "latin.jsonl").write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(GoldFileError, match="not UTF-8"):
        read_gold(tmp_path / "latin.jsonl")


# The command ----------------------------------------------------------------------


def test_evaluate_command_turns_a_bad_file_into_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("evaluate", str(tmp_path / "missing.jsonl"))


def test_an_unknown_type_is_a_command_error_naming_the_valid_ones(db):
    with pytest.raises(CommandError, match="direct, partial, indirect"):
        call_command("evaluate", str(SEED_GOLD), "--types", "direct,quoted")


def test_on_the_seed_with_its_own_entities_parts_and_speakers_are_right(db):
    figures = run_evaluate(str(SEED_GOLD), "--with-gold-entities")
    assert figures["records"] == 1 and figures["model"] is None
    assert figures["gazetteer"]["entities"] > 10
    assert figures["gazetteer"]["names"] > figures["gazetteer"]["entities"]
    every = figures["quotes"]["all"]
    assert every["parts_overlap"]["f1"] == 1.0
    assert every["parts_exact"]["f1"] == 1.0
    assert every["speakers"]["strict"]["accuracy"] == 1.0
    assert every["speakers"]["judged"] == every["quotes_overlap"]["tp"] > 5
    assert figures["quotes"]["direct"]["parts_exact"]["gold"] == 6
    assert figures["quotes"]["partial"]["parts_exact"]["gold"] == 3
    assert figures["mentions"]["exact"]["f1"] >= 0.9


def test_evaluate_prints_rows_per_type_the_gazetteer_and_the_model(
    db, tmp_path, settings
):
    make_entity("Daesh", kind="ORG")
    # A real pipeline saved to a folder, so that no download is needed.
    spacy.blank("en").to_disk(tmp_path / "model")
    settings.NEWSREADER_SPACY_MODEL = str(tmp_path / "model")
    out = StringIO()
    call_command("evaluate", str(SEED_GOLD), stdout=out)
    text = out.getvalue()
    assert "Gazetteer: 1 entities, 1 names and aliases, from the entity table." in text
    assert f"Model: {tmp_path / 'model'}." in text
    for row in ("direct", "partial (gold mixed)", "indirect", "all types together"):
        assert f"\n{row}\n" in text
    assert "speakers, strict " in text and "speakers, surname only" in text
    assert "mentions, exact" in text


def test_types_direct_leaves_a_right_indirect_suggestion_out(db, tmp_path):
    text = "Ana Ruiz said that the plan would fail. “We will appeal,” she said."
    record = {
        "id": "one",
        "text": text,
        "quotes": [gold_item(41, 56, speaker="Ana Ruiz")],
        "entities": [
            {"name": "Ana Ruiz", "kind": "PERSON", "mentions": [{"start": 0, "end": 8}]}
        ],
    }
    path = write_jsonl(tmp_path, record)
    direct = run_evaluate(str(path), "--with-gold-entities", "--types", "direct")
    assert direct["types"] == ["direct"] and set(direct["quotes"]) == {"direct", "all"}
    assert direct["quotes"]["all"]["quotes_overlap"]["precision"] == 1.0
    assert direct["quotes"]["all"]["speakers"]["strict"]["accuracy"] == 1.0
    every = run_evaluate(str(path), "--with-gold-entities")
    # The suggester also finds the reported speech, which this gold lacks.
    assert every["quotes"]["indirect"]["quotes_overlap"]["predicted"] == 1
    assert every["quotes"]["all"]["quotes_overlap"]["precision"] == 0.5


def test_the_split_option_picks_records_by_id(db, tmp_path):
    records = [{"id": f"article-{n}", "text": "Nothing said."} for n in range(10)]
    path = write_jsonl(tmp_path, *records, {"text": "No id."})
    assert run_evaluate(str(path), "--split", "held-out")["records"] == 3 + 1
    assert run_evaluate(str(path), "--split", "develop")["records"] == 7 + 1
    assert run_evaluate(str(path))["records"] == 11
