from __future__ import annotations

import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
import spacy
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import example, given
from hypothesis import strategies as st
from spacy.tokens import Doc

from annotations.editing import create_mention, start_review
from annotations.models import Mention, Quote, Span
from annotations.suggest import detect as detect_module
from annotations.suggest import store
from annotations.suggest.clauses import reporting_clauses
from annotations.suggest.detect import detect, detect_all, detect_one, load_model
from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
from annotations.suggest.quotes import find_quoted
from annotations.suggest.results import SuggestError
from annotations.suggest.store import suggest_article, suggest_articles
from annotations.suggest.tokens import Article, tokenize
from newsreader.models import Alias, Entity
from newsreader.text import normalize_name
from tests.factories import make_article, make_entity

DEFAULT_MODEL = str(settings.BASE_DIR / "model" / "en_newsreader")

OKAFOR = GazetteerEntry(1, "Jane Okafor", "PERSON")
COUNCIL = GazetteerEntry(2, "Lagos City Council", "ORG")
LAGOS = GazetteerEntry(3, "Lagos", "PLACE")
SINIRLIOGLU = GazetteerEntry(4, "Feridun Sinirlioğlu", "PERSON")
TURKEY = GazetteerEntry(5, "Turkey", "PLACE")
USA = GazetteerEntry(6, "United States", "PLACE")
NEW_YORK = GazetteerEntry(7, "New York", "PLACE")
NYT = GazetteerEntry(8, "The New York Times", "ORG")
MERKEL = GazetteerEntry(9, "Angela Merkel", "PERSON")

GAZETTEER = Gazetteer.from_entities(
    [
        (OKAFOR, ["Okafor"]),
        (COUNCIL, ["the council"]),
        (LAGOS, []),
        (SINIRLIOGLU, []),
        (TURKEY, []),
        (USA, ["US", "U.S."]),
        (NEW_YORK, []),
        (NYT, ["New York Times"]),
        (MERKEL, ["Merkel"]),
    ]
)


def test_detection_imports_nothing_from_django():
    # A fresh interpreter: this one has Django loaded by the test run.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, annotations.suggest.detect; "
            "print(*[m for m in sys.modules if m.split('.')[0] == 'django'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert loaded.stdout.split() == []


def find(text: str):
    return detect(text, GAZETTEER)


def quoted(text: str) -> list[list[str]]:
    return [[text[s:e] for s, e in q.parts] for q in find_quoted(text)]


def mentions(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.name) for m in find(text).mentions]


def quotes(text: str) -> list[tuple[list[str], str, str]]:
    return [
        ([text[s:e] for s, e in q.parts], q.speaker_name, q.type)
        for q in find(text).quotes
    ]


# Sentences ----------------------------------------------------------------

# What the suggester's sentence ends must agree with: spaCy's own sentencizer
# on the same tokens (newlines read as spaces, as the suggester reads them).
_SENTENCIZER = spacy.blank("en")
_SENTENCIZER.add_pipe("sentencizer")


def sentence_starts(text: str) -> tuple[list[int], list[int]]:
    """Ours, then the sentencizer's."""
    ours = Article(text, tokenize(text), GAZETTEER).sentence_starts
    doc = _SENTENCIZER(text.replace("\n", " "))
    return ours, [sentence.start for sentence in doc.sents] or [0]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Okafor said the U.S. would act. Dr. Merkel did not.",
        "“We will win!” Okafor said. “Will we?” asked Merkel.",
        "He said “it is over.” Okafor agreed.",
        "It rose 3.5 percent at 9 a.m. on Jan. 5. Then it fell…",
        "Wait!! (Really?) Yes... and no?! “No.”",
        "Okafor left.\nMerkel stayed.\n\n“Why?”\nNobody said.",
        "",
        ". ! ?",
        "no ending at all",
        "नदी बढ़ी। फिर घटी",
    ],
)
def test_sentences_end_where_spacys_sentencizer_ends_them(text):
    ours, sentencizer = sentence_starts(text)
    assert ours == sentencizer


@given(
    st.lists(
        st.sampled_from(
            ["Okafor", "said", "it", "Mr.", "U.S.", "e.g.", "3.5", "a.m.", ".", "!"]
            + ["?", "…", "...", "“", "”", '"', "‘", "’", "(", ")", ",", "—", "।"]
            + ["\n", "\n\n", ""]
        ),
        max_size=40,
    ),
    st.sampled_from([" ", ""]),
)
@example(["said", ".", "”", "Okafor"], "")
def test_sentences_agree_with_spacys_sentencizer_on_any_punctuation(words, glue):
    ours, sentencizer = sentence_starts(glue.join(words))
    assert ours == sentencizer


# Quotation marks ----------------------------------------------------------


def test_curly_and_straight_double_marks_both_make_quotes():
    text = 'Okafor said, “We will rebuild.” Later she said, "It is done."'
    assert quoted(text) == [["We will rebuild."], ["It is done."]]


def test_a_single_quote_inside_a_double_one_belongs_to_it():
    text = "“He told me ‘never again’ and meant it,” said Okafor."
    assert quoted(text) == [["He told me ‘never again’ and meant it,"]]
    text = "\"He told me 'never again' and meant it,\" said Okafor."
    assert quoted(text) == [["He told me 'never again' and meant it,"]]


def test_single_marks_make_a_quote_on_their_own_as_british_papers_print_them():
    assert quotes("‘We are ready for the flood,’ said Jane Okafor.") == [
        (["We are ready for the flood,"], "Jane Okafor", "direct")
    ]


def test_apostrophes_are_not_quotation_marks():
    text = "Okafor’s plan and the council's budget, the Smiths’ house, rock ’n’ roll."
    assert quoted(text) == []
    text = "“Lagos’s roads aren’t safe,” she said."
    assert quoted(text) == [["Lagos’s roads aren’t safe,"]]


def test_an_attribution_going_on_after_a_quote_ending_its_sentence_is_its_cue():
    text = (
        "Jane Okafor spoke last.\n\n"
        "“We will build the wall!” she said to an enormous cheer.\n\n"
        "“It is a disaster?” She said the roads were shut."
    )
    found = detect(text, GAZETTEER)
    assert [
        (q.parts and text[slice(*q.parts[0])], q.cue and text[slice(*q.cue)])
        for q in found.quotes
        if q.type != "indirect"
    ] == [("We will build the wall!", "said"), ("It is a disaster?", None)]
    assert found.quotes[0].speaker_name == "Jane Okafor"


def test_a_name_and_a_colon_before_a_quote_give_it_its_speaker():
    text = "Jane Okafor: ‘We will rebuild the bridge’\n\nThe council met on Monday."
    [quote] = detect(text, GAZETTEER).quotes
    assert (quote.speaker_name, quote.cue) == ("Jane Okafor", None)


def test_a_sentence_ending_in_a_colon_gives_its_subject_the_quote_after_it():
    text = "Okafor listed her demands:\n\n“We want the bridge rebuilt now.”"
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "nmod:poss"), (1, "obj"), (1, "punct")]
    arcs += [(4, "dep"), (8, "punct"), (8, "nsubj"), (8, "ROOT"), (10, "det")]
    arcs += [(8, "obj"), (10, "acl"), (11, "advmod"), (8, "punct"), (8, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert (quote.speaker_name, quote.cue) == ("Jane Okafor", None)


def test_a_straight_mark_between_spaces_closes_the_quote_open():
    # News style spaces nested closing marks apart: ,' "
    text = """"Not just me saying, 'Vote for her,' " Sanders said. "It is more." """
    assert quoted(text) == [["Not just me saying, 'Vote for her,'"], ["It is more."]]


def test_a_quote_over_paragraphs_that_repeat_the_opening_mark_is_one_quote():
    text = (
        "Jane Okafor spoke first.\n\n"
        "“The water came at night. Nobody was ready.\n\n"
        "“We lost everything we had,” she said."
    )
    found = find(text)
    assert len(found.quotes) == 1
    parts = [text[s:e] for s, e in found.quotes[0].parts]
    assert parts == [
        "The water came at night. Nobody was ready.",
        "We lost everything we had,",
    ]
    assert found.quotes[0].speaker_name == "Jane Okafor"


def test_a_quote_left_open_at_the_end_of_its_paragraph_is_dropped():
    text = "“The water came at night.\n\nThen the council met,” she said."
    assert quoted(text) == []


def test_a_split_quote_with_its_attribution_between_is_one_quote_of_two_parts():
    text = "“We tried,” Okafor said, “but the money never came.”"
    assert quotes(text) == [
        (["We tried,", "but the money never came."], "Jane Okafor", "direct")
    ]


def test_a_sentence_quoted_after_a_fragment_is_a_direct_quote_of_its_own():
    # After a partial quote, a quotation opening a sentence of its own is
    # the same speaker's direct quote, not more parts of the partial one.
    for text in [
        "Okafor called the plan “a disaster.” “We will fight it in court.”",
        "But the benefit is “ten times the losses,” Okafor said. “Trade helps.”",
    ]:
        assert [
            (parts[0][:9], speaker, kind) for parts, speaker, kind in quotes(text)
        ] == [
            (text[text.index("“") + 1 :][:9], "Jane Okafor", "partial"),
            (text[text.rindex("“") + 1 :][:9], "Jane Okafor", "direct"),
        ]
    # A fragment broken by its cue is still one quote of two parts.
    text = "The benefit is “ten times the losses,” Okafor said, “and growing.”"
    assert quotes(text) == [
        (["ten times the losses,", "and growing."], "Jane Okafor", "partial")
    ]


def test_a_sentence_of_who_where_and_when_attributes_the_quote_before_it():
    for text in [
        "“Why now?” Okafor wrote on Twitter on Monday.",
        "“Who pays?” Okafor told reporters during a call.",
        "“Who pays?” Okafor said about the plan.",
    ]:
        assert quotes(text) == [([text[1:-1].split("”")[0]], "Jane Okafor", "direct")]
    # A sentence reporting words of its own does not.
    text = "“Why now, of all times?” Okafor said the plan was dead."
    assert [(s, kind) for _, s, kind in quotes(text) if kind == "direct"] == [
        ("", "direct")
    ]


def test_a_comma_after_a_party_and_state_still_leaves_the_name_the_speaker():
    text = "After the vote, Sen. Marco Rubio (R-Fla.), said, “It matters.”"
    found = detect(text, Gazetteer([]))
    assert [q.speaker_name for q in found.quotes] == ["Marco Rubio"]


def test_said_opening_a_sentence_takes_the_name_after_it():
    text = (
        "The home is a museum now. Said Ana Ruiz, who grew up nearby, “We were proud.”"
    )
    found = detect(text, Gazetteer([]))
    assert [q.speaker_name for q in found.quotes] == ["Ana Ruiz"]


def test_the_words_of_an_organisation_s_role_noun_are_the_speaker_words():
    text = "Lagos City Council met on Monday.\n\n“We are ready,” the council said."
    [quote] = detect(text, Gazetteer.from_entities([(COUNCIL, [])])).quotes
    assert quote.speaker_name == "Lagos City Council"
    assert text[slice(*quote.speaker_words)] == "the council"


def test_a_paragraph_that_is_only_a_quotation_carries_on_the_speaker_before():
    text = (
        "“We tried,” Okafor said.\n\n.\n\n“Nobody listened to us at all.”\n\n"
        "___\n\n“Not once in ten years.”"
    )
    assert [speaker for _, speaker, _ in quotes(text)] == ["Jane Okafor"] * 3


def test_a_named_speaker_between_ends_the_carried_speaker():
    text = (
        "“We tried,” Okafor said.\n\nMerkel disagreed.\n\n"
        "“Nobody listened to us at all.”"
    )
    assert [speaker for _, speaker, _ in quotes(text)] == ["Jane Okafor", ""]


def test_a_quote_closed_by_two_apostrophes_takes_the_speaker_after_its_cue():
    assert quotes("''It is over,'' said Okafor.") == [
        (["It is over,"], "Jane Okafor", "direct")
    ]


def test_it_by_a_cue_is_the_last_organisation_named():
    text = "Lagos City Council met on Monday.\n\n“We will rebuild,” it said."
    assert quotes(text) == [(["We will rebuild,"], "Lagos City Council", "direct")]


def test_two_quotes_each_with_a_cue_of_its_own_stay_two_quotes():
    text = "“We tried,” Okafor said, adding, “but the money never came.”"
    found = find(text)
    assert [[text[s:e] for s, e in q.parts] for q in found.quotes] == [
        ["We tried,"],
        ["but the money never came."],
    ]
    assert [text[slice(*q.cue)] for q in found.quotes] == ["said", "adding"]
    assert [q.speaker_name for q in found.quotes] == ["Jane Okafor"] * 2


def test_a_title_in_quotation_marks_does_not_join_the_quote_before_it():
    text = "“I had a bad earpiece,” Okafor told NBC’s “Today” show on Monday."
    assert quotes(text) == [(["I had a bad earpiece,"], "Jane Okafor", "direct")]


def test_two_whole_quoted_sentences_stay_two_quotes():
    text = "“We tried everything we could.” Okafor said it twice. “It never came.”"
    assert [kind for *_, kind in quotes(text)] == ["direct", "direct"]


def test_two_quoted_fragments_of_one_sentence_stay_two_quotes():
    text = (
        "Merkel said the plan had “failed the test” and warned voters not to "
        "“fall for it”."
    )
    assert quotes(text) == [
        (["failed the test"], "Angela Merkel", "partial"),
        (["fall for it"], "Angela Merkel", "partial"),
    ]


def test_a_participle_cue_takes_the_subject_of_its_sentence():
    text = (
        "Angela Merkel, in a long interview on Sunday, defended the deal, "
        "telling Lagos City Council it was “a fair bargain”."
    )
    (quote,) = find(text).quotes
    assert quote.speaker == MERKEL
    assert text[slice(*quote.cue)] == "telling"


def test_a_scare_quoted_word_without_a_cue_is_not_a_quote():
    assert find("The so-called ‘reform’ passed in Lagos.").quotes == []
    assert find("Turkey ‘concerned’\n\nTurkey’s envoy left.").quotes == []


def test_quote_spans_cover_what_stands_strictly_between_the_marks():
    text = "Okafor said: “Not yet,” and left."
    (quote,) = find(text).quotes
    start, end = quote.parts[0]
    assert text[start - 1] == "“" and text[end] == "”"


# Cues, speakers, types ----------------------------------------------------


def test_a_named_speaker_before_the_cue_is_the_speaker():
    assert quotes("Jane Okafor told reporters: “The bridge is safe.”") == [
        (["The bridge is safe."], "Jane Okafor", "direct")
    ]


def test_told_takes_its_speaker_from_before_not_its_listener_after():
    text = "Merkel told Jane Okafor on Monday that talks were “going well”."
    (quote,) = find(text).quotes
    assert quote.speaker_name == "Angela Merkel"
    assert quote.type == "partial"


def test_an_inverted_cue_takes_the_speaker_after_it():
    text = "“We will appeal,” said Lagos City Council."
    assert quotes(text) == [(["We will appeal,"], "Lagos City Council", "direct")]


def test_according_to_takes_the_speaker_after_it():
    text = "The plan is “dead on arrival”, according to Angela Merkel."
    (quote,) = find(text).quotes
    assert quote.speaker_name == "Angela Merkel"
    assert quote.type == "partial"


def test_a_pronoun_speaker_is_the_last_person_named_before():
    text = (
        "Angela Merkel left Lagos. Jane Okafor stayed.\n\n"
        "She said the talks had been “long but fruitful”."
    )
    (quote,) = find(text).quotes
    assert quote.speaker_name == "Jane Okafor"
    assert quote.speaker == OKAFOR
    assert quote.speaker_mention is None
    assert quote.type == "partial"


def test_a_pronoun_does_not_take_a_person_named_inside_a_quote():
    text = (
        "Jane Okafor arrived late. “I met Merkel yesterday,” she said.\n\n"
        "He said nothing. “It was fine,” she said."
    )
    speakers = [q.speaker_name for q in find(text).quotes]
    assert speakers == ["Jane Okafor", "Jane Okafor"]


def test_a_role_noun_speaker_is_the_last_person_named_before():
    text = "Jane Okafor toured Lagos.\n\n“The roads are a disgrace,” said the mayor."
    assert quotes(text) == [(["The roads are a disgrace,"], "Jane Okafor", "direct")]


def test_they_is_the_last_organisation_named_before():
    text = "Lagos City Council met on Friday. “We need more money,” they said."
    assert quotes(text)[0][1] == "Lagos City Council"


def test_an_unknown_speaker_is_proposed_as_a_new_person():
    text = "“We are not afraid,” said Tomasz Wielki, a fisherman."
    found = find(text)
    (quote,) = found.quotes
    assert quote.speaker is None
    assert quote.speaker_name == "Tomasz Wielki"
    assert quote.speaker_mention.is_new
    assert (quote.speaker_mention.text, quote.speaker_mention.kind) == (
        "Tomasz Wielki",
        "PERSON",
    )
    assert quote.confidence < 0.9


def test_an_unknown_speakers_surname_later_is_the_same_person():
    text = (
        "“We are not afraid,” said Tomasz Wielki.\n\n"
        "“The sea gives and takes,” Wielki said."
    )
    found = find(text)
    assert [q.speaker_name for q in found.quotes] == ["Tomasz Wielki"] * 2
    assert [m.name for m in found.mentions] == ["Tomasz Wielki"] * 2


def test_a_new_speaker_named_in_full_before_is_proposed_by_the_full_name():
    text = (
        "Ana Lucía Ferreira, the city's emergency director, spoke at noon. "
        "Later Ferreira walked out.\n\n"
        "“This is not a drill,” Ferreira told reporters."
    )
    found = find(text)
    assert [q.speaker_name for q in found.quotes] == ["Ana Lucía Ferreira"]
    # The full name is suggested as a mention too, not "Later Ferreira"; the
    # "Ferreira" there is her.
    assert [(m.text, m.name) for m in found.mentions] == [
        ("Ana Lucía Ferreira", "Ana Lucía Ferreira"),
        ("Ferreira", "Ana Lucía Ferreira"),
        ("Ferreira", "Ana Lucía Ferreira"),
    ]


def test_an_unknown_speaker_whose_name_ends_like_an_organisation_is_one():
    text = "“Stay away from the shore,” said the Pacific Rim Authority."
    (quote,) = find(text).quotes
    assert quote.speaker_name == "Pacific Rim Authority"
    assert (quote.speaker_mention.text, quote.speaker_mention.kind) == (
        "Pacific Rim Authority",
        "ORG",
    )


def test_titles_are_not_part_of_a_proposed_name():
    text = "“We will win,” said Foreign Minister Maria Kowalska."
    assert quotes(text)[0][1] == "Maria Kowalska"


@pytest.mark.parametrize(
    "text, speaker",
    [
        ("“We will win,” said Democratic pollster Geoff Garin.", "Geoff Garin"),
        ("“We will win,” said Trump campaign manager Corey Lewandowski.",
         "Corey Lewandowski"),
        ("“We will win,” said Republican strategist Ana Navarro on Sunday.",
         "Ana Navarro"),
        # Not a role: the name before it is still the speaker.
        ("“We will win,” said Navarro on Sunday in Miami.", "Navarro"),
    ],
)  # fmt: skip
def test_after_a_name_and_its_role_the_roles_holder_speaks(text, speaker):
    assert speaker_names(text) == [speaker]


@pytest.mark.parametrize(
    "attribution", ["Manafort conceded", "Manafort shot back", "Manafort joked"]
)
def test_verbs_of_retort_and_admission_are_cues(attribution):
    text = f"“We know how Wyoming is going to go,” {attribution}."
    assert speaker_names(text) == ["Manafort"]


def test_a_known_persons_spokesman_named_after_is_the_speaker():
    clinton = GazetteerEntry(31, "Hillary Clinton", "PERSON")
    text = "“We will win,” said Clinton spokesman Brian Fallon."
    assert speaker_names(text, clinton) == ["Brian Fallon"]


def test_plural_nouns_and_days_before_said_are_not_names():
    for text in [
        "Officials said it was “a tragedy”.",
        "“A tragedy,” Residents said.",
        "On Monday said it was over, “a tragedy”.",
    ]:
        assert all(q.speaker is None for q in find(text).quotes), text
        assert all(m.entity for m in find(text).mentions), text


def test_a_surname_after_the_full_name_is_the_same_person():
    entry = GazetteerEntry(10, "Sergei Kuralenko", "PERSON")
    gazetteer = Gazetteer.from_entities([(entry, [])])
    text = "Sergei Kuralenko flew in. Kuralenko said the base was “ready”."
    found = detect(text, gazetteer)
    assert [(m.text, m.name) for m in found.mentions] == [
        ("Sergei Kuralenko", "Sergei Kuralenko"),
        ("Kuralenko", "Sergei Kuralenko"),
    ]
    assert found.quotes[0].speaker == entry


def suggestions(text: str, *entries: GazetteerEntry):
    """Suggestions with only ``entries`` (no aliases) in the entity table."""
    return detect(text, Gazetteer.from_entities([(entry, []) for entry in entries]))


def speaker_names(text: str, *entries: GazetteerEntry) -> list[str]:
    return [q.speaker_name for q in suggestions(text, *entries).quotes]


NNAMDI = GazetteerEntry(20, "Polly Nnamdi", "PERSON")
SHELTER = GazetteerEntry(21, "Shelter", "ORG")


@pytest.mark.parametrize("entries", [(NNAMDI, SHELTER), ()])
def test_the_speaker_stands_before_an_apposition_between_it_and_the_cue(entries):
    text = "Polly Nnamdi, Shelter’s chief executive, said: “We need more homes.”"
    (quote,) = suggestions(text, *entries).quotes
    assert quote.speaker_name == "Polly Nnamdi"
    assert quote.speaker_mention.kind == "PERSON"
    assert quote.speaker_mention.is_new == (not entries)


def test_the_speaker_stands_before_relative_clauses_between_it_and_the_cue():
    nasa = GazetteerEntry(22, "NASA", "ORG")
    text = (
        "NASA, which operates several of the satellites used to monitor the ice, "
        "said the paper was “consistent with what we see.”"
    )
    assert speaker_names(text, nasa) == ["NASA"]
    zhang = GazetteerEntry(23, "Zhang Wei", "PERSON")
    copper = GazetteerEntry(24, "Andes Pacific Copper", "ORG")
    text = (
        "Zhang Wei, the chairman of Jinlong, which owns a stake in Andes Pacific "
        "Copper, told reporters: “We will stay.”"
    )
    assert speaker_names(text, zhang, copper) == ["Zhang Wei"]


def test_a_role_noun_subject_before_a_relative_clause_is_a_role_noun_still():
    text = "Jane Okafor toured Lagos.\n\nThe mayor, who was angry, said: “No.”"
    assert quotes(text) == [(["No."], "Jane Okafor", "direct")]


def test_a_possessives_spokesman_is_no_one_named_not_the_owner():
    ashworth = GazetteerEntry(25, "Daniel Ashworth", "PERSON")
    for text in [
        "Daniel Ashworth flew to Paris. Mr Ashworth’s spokesman said: “Absolutely.”",
        "Daniel Ashworth flew to Paris. "
        "The prime minister’s official spokesman said: “Absolutely.”",
    ]:
        assert speaker_names(text, ashworth) == [""], text


def test_a_spokesperson_named_after_the_possessive_role_is_the_speaker():
    hughes = GazetteerEntry(26, "Darnell Hughes", "PERSON")
    text = "Hughes's attorney, Jonathan Reyes, said: “He is innocent.”"
    assert speaker_names(text, hughes) == ["Jonathan Reyes"]


def test_a_pronoun_is_the_subject_before_not_a_person_in_its_relative_clause():
    etxeberria = GazetteerEntry(27, "Mikel Etxeberria", "PERSON")
    conceicao = GazetteerEntry(28, "Rui Conceição", "PERSON")
    gazetteer = Gazetteer.from_entities([(etxeberria, ["Etxeberria"]), (conceicao, [])])
    text = (
        "Etxeberria, who replaced Rui Conceição in October, is unbeaten. "
        "He said the team had “earned the right” to dream."
    )
    (quote,) = detect(text, gazetteer).quotes
    assert quote.speaker == etxeberria


def test_a_role_noun_is_the_person_named_with_that_title():
    ruiz = GazetteerEntry(29, "Ana Ruiz", "PERSON")
    rios = GazetteerEntry(30, "Gustavo Ríos", "PERSON")
    text = (
        "President Ana Ruiz spoke on Monday. A delegation led by Gustavo Ríos "
        "will travel. “Peru cannot be held hostage,” the president said."
    )
    assert speaker_names(text, ruiz, rios) == ["Ana Ruiz"]


@pytest.mark.parametrize(
    "attribution",
    ["the Spaniard said", "the Irishman told Sky Sports", "the 27-year-old said"]
    + ["the Ashford boss added"],
)
def test_an_epithet_is_a_role_noun_not_a_new_name(attribution):
    etxeberria = GazetteerEntry(27, "Mikel Etxeberria", "PERSON")
    ashford = GazetteerEntry(31, "Ashford", "ORG")
    text = f"Mikel Etxeberria arrived.\n\n“I trust all of them,” {attribution}."
    found = suggestions(text, etxeberria, ashford)
    assert [q.speaker for q in found.quotes] == [etxeberria]
    assert not any(m.is_new for m in found.mentions)


def test_a_participle_after_a_clause_with_a_pronoun_subject_is_that_persons():
    text = "Jane Okafor arrived. She defended the plan, adding: “It will work.”"
    assert quotes(text) == [(["It will work."], "Jane Okafor", "direct")]


def test_a_verb_joined_by_and_takes_the_subject_of_the_first():
    text = (
        "Lagos City Council called the bill “a solution in search of a problem” "
        "and said in a statement that it “has no proven link to safety.”"
    )
    assert [speaker for _, speaker, _ in quotes(text)] == ["Lagos City Council"] * 2


def test_reported_speech_before_a_quote_is_found_and_gives_pronouns_a_person():
    text = (
        "Tomasz Wielki said he would stay in Lagos for the winter. "
        "“It is home,” he said."
    )
    found = find(text)
    assert [(q.type, q.speaker_name) for q in found.quotes] == [
        ("indirect", "Tomasz Wielki"),
        ("direct", "Tomasz Wielki"),
    ]


def test_a_proposed_persons_surname_further_on_is_them_too():
    text = "“We are not afraid,” said Tomasz Wielki. Wielki went home."
    assert [(m.text, m.name) for m in find(text).mentions] == [
        ("Tomasz Wielki", "Tomasz Wielki"),
        ("Wielki", "Tomasz Wielki"),
    ]


def test_plural_roles_are_never_a_person():
    for text in [
        "Several Labour MPs said it was “long overdue”.",
        "“It is long overdue,” said Labour MPs.",
    ]:
        found = find(text)
        assert [q.speaker_name for q in found.quotes] == [""], text
        assert found.mentions == [], text


def test_a_name_follows_its_last_title_and_keeps_four_words():
    text = "Ward 2 City Councilor Tamika Brooks said: “People are scared.”"
    assert quotes(text)[0][1] == "Tamika Brooks"
    text = "President Rosa Elvira Quispe Mamani said: “The door is open.”"
    assert quotes(text)[0][1] == "Rosa Elvira Quispe Mamani"


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        (
            "Zhang Wei spoke in Beijing. “We will stay,” Zhang said.",
            GazetteerEntry(23, "Zhang Wei", "PERSON"),
        ),
        (
            "President Rosa Elvira Quispe Mamani spoke. "
            "“The door is open,” Quispe said.",
            GazetteerEntry(32, "Rosa Elvira Quispe Mamani", "PERSON"),
        ),
    ],
)
def test_one_word_of_a_full_name_named_before_is_that_person(text, entry):
    assert speaker_names(text, entry) == [entry.name]
    assert speaker_names(text) == [entry.name]


def test_calling_something_a_quoted_phrase_attributes_the_quote():
    kowalczyk = GazetteerEntry(33, "Ray Kowalczyk", "PERSON")
    text = "Ray Kowalczyk called the closure “reckless and a betrayal of workers.”"
    (quote,) = suggestions(text, kowalczyk).quotes
    assert (quote.speaker, quote.type, text[slice(*quote.cue)]) == (
        kowalczyk,
        "partial",
        "called",
    )
    trent = GazetteerEntry(34, "Oliver Trent", "PERSON")
    text = (
        "Oliver Trent called the plan “a tax on building” and warned that prices "
        "would rise."
    )
    assert speaker_names(text, trent) == ["Oliver Trent"]


def test_a_cue_after_the_quote_in_another_clause_does_not_attribute_it():
    lomas = GazetteerEntry(35, "Peter Lomas", "PERSON")
    text = (
        "Fans chanted “You’re getting sacked in the morning,” although the "
        "chairman, Peter Lomas, said the job was safe."
    )
    assert "Peter Lomas" not in speaker_names(text, lomas)
    # A relative clause closed before the cue is the speaker's own.
    text = "“We will appeal,” the council, which employs 400 people, said."
    assert quotes(text)[0][1] == "Lagos City Council"


def cues(text: str, *entries: GazetteerEntry) -> list[tuple[str | None, str]]:
    """Each quote's cue, as text, and speaker."""
    return [
        (text[slice(*q.cue)] if q.cue else None, q.speaker_name)
        for q in suggestions(text, *entries).quotes
    ]


def test_a_split_quote_with_a_long_attribution_is_one_quote():
    text = (
        "“Our members are tired of being used as bargaining chips,” said Dana "
        "Whitfield, president of the National Federation of Public Employees. "
        "“They show up. They do their jobs.”"
    )
    (quote,) = find(text).quotes
    assert [text[s:e] for s, e in quote.parts] == [
        "Our members are tired of being used as bargaining chips,",
        "They show up. They do their jobs.",
    ]
    assert quote.speaker_name == "Dana Whitfield"


def test_a_cue_after_a_question_is_its_and_the_quote_after_it_goes_on():
    text = (
        "Jane Okafor walked back to the boat.\n\n"
        "“What else would I do?” she asked. “This is the only thing I know.”"
    )
    # One quote of two parts: the second goes on the first, which the cue
    # attributes.
    [quote] = suggestions(text, OKAFOR).quotes
    assert [text[s:e] for s, e in quote.parts] == [
        "What else would I do?",
        "This is the only thing I know.",
    ]
    assert (text[slice(*quote.cue)], quote.speaker_name) == ("asked", "Jane Okafor")


def test_two_quotes_never_share_a_cue():
    text = "Jane Okafor called the plan “reckless” and “a betrayal of workers”."
    assert cues(text, OKAFOR) == [("called", "Jane Okafor"), (None, "Jane Okafor")]


def test_a_name_after_the_role_that_follows_the_cue_is_the_speaker():
    text = (
        "“Sharing is good,” said its access campaign director, Tomás Lindqvist. "
        "“Sharing at any price is not.”"
    )
    lindqvist = GazetteerEntry(41, "Tomás Lindqvist", "PERSON")
    assert cues(text) == [("said", "Tomás Lindqvist")]  # one quote of two parts
    assert cues(text, lindqvist) == cues(text)


def test_a_person_of_a_place_is_the_speaker_not_the_place():
    new_mexico = GazetteerEntry(40, "New Mexico", "PLACE")
    text = (
        "Representative Lena Ortiz of New Mexico said the money was “smaller "
        "than we hoped but real.”"
    )
    for entries in [(new_mexico,), ()]:
        (quote,) = suggestions(text, *entries).quotes
        assert quote.speaker_name == "Lena Ortiz"
        assert quote.speaker_mention.kind == "PERSON"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "The Department for Transport said routes were “a matter for local "
            "authorities”.",
            "Department for Transport",
        ),
        ("“We are taking action,” Harbor Foods said in the statement.", "Harbor Foods"),
        (
            "The United Food and Commercial Workers union said it was “deeply "
            "disappointed”.",
            "United Food and Commercial Workers union",
        ),
    ],
)
def test_an_organisation_before_the_cue_is_proposed_as_one(text, name):
    (quote,) = suggestions(text).quotes
    assert quote.speaker_name == name
    assert quote.speaker_mention.kind == "ORG"


def test_people_at_a_place_or_a_body_are_not_it():
    for text in [
        "Students at Kirklees College said they were “worried”.",
        "Officials in Lagos said the road was “closed”.",
        "A spokesman for the Teamsters union said it was “sad”.",
    ]:
        assert [name for _, name in cues(text, LAGOS)] == [""], text


def test_the_union_is_the_last_organisation_named_with_that_word():
    text = (
        "The United Food and Commercial Workers union said it was “deeply "
        "disappointed”. “These are workers who kept this company running,” the "
        "union said in a statement."
    )
    union = "United Food and Commercial Workers union"
    assert cues(text) == [("said", union), ("said", union)]
    northwind = GazetteerEntry(41, "Northwind Motors", "ORG")
    sec = GazetteerEntry(42, "Securities and Exchange Commission", "ORG")
    text = (
        "Northwind Motors has lost money, according to filings with the "
        "Securities and Exchange Commission. The company said the cuts were "
        "“painful but necessary”."
    )
    assert [name for _, name in cues(text, northwind, sec)] == ["Northwind Motors"]


def test_a_councillors_title_is_not_part_of_the_name():
    text = "‘It’s easy to stand there and throw stones,’ said Cllr Priya Mistry."
    assert speaker_names(text) == ["Priya Mistry"]


def test_a_surname_without_its_accent_is_the_person_named_with_it():
    text = (
        "José Álvarez, who has fished out of Cangas for years, stood on deck.\n\n"
        "Álvarez, 54, said his income had fallen. “Every year they tell us it is "
        "the last sacrifice,” Alvarez said."
    )
    found = suggestions(text)
    assert [q.speaker_name for q in found.quotes] == ["José Álvarez"]
    assert [(m.text, m.name) for m in found.mentions] == [
        ("José Álvarez", "José Álvarez"),
        ("Álvarez", "José Álvarez"),
        ("Alvarez", "José Álvarez"),
    ]


def test_declining_to_say_is_no_attribution():
    feld = GazetteerEntry(43, "Marcus Feld", "PERSON")
    brennan = GazetteerEntry(44, "Laura Brennan", "PERSON")
    text = (
        "Laura Brennan spoke first. Chief financial officer Marcus Feld said costs "
        "would stay high. He declined to say whether prices would rise, telling "
        "analysts only that the company would “remain disciplined”."
    )
    assert cues(text, feld, brennan) == [("telling", "Marcus Feld")]


def test_a_cue_before_a_fragment_beats_one_joined_on_after_it():
    oceana = GazetteerEntry(45, "Oceana", "ORG")
    text = (
        "Oceana, which campaigns for ocean protection, said the cuts were “a step "
        "in the right direction” and warned that stocks remained low."
    )
    assert cues(text, oceana) == [("said", "Oceana")]


def test_direct_and_partial_quotes_are_told_apart():
    text = (
        "Okafor said, “The dam will hold.”\n\n"
        "Okafor said the dam was “built to last” and safe."
    )
    assert [kind for *_, kind in quotes(text)] == ["direct", "partial"]


def test_reported_speech_with_that_is_an_indirect_quote():
    text = "Jane Okafor said that the bridge would reopen in May."
    (quote,) = find(text).quotes
    assert quote.type == "indirect"
    assert text[slice(*quote.parts[0])] == "the bridge would reopen in May"
    assert quote.speaker == OKAFOR
    assert text[slice(*quote.cue)] == "said"


def test_announcing_that_is_not_reported_speech():
    assert (
        find("Lagos City Council announced that the bridge would reopen.").quotes == []
    )


# Mentions -----------------------------------------------------------------


def test_mentions_ignore_case_and_accents():
    text = "SINIRLIOGLU met Feridun Sinirlioglu and Feridun SINIRLIOĞLU."
    assert [name for _, name in mentions(text)] == ["Feridun Sinirlioğlu"] * 2
    assert mentions("FERIDUN SINIRLIOĞLU left.") == [
        ("FERIDUN SINIRLIOĞLU", "Feridun Sinirlioğlu")
    ]


def test_mentions_fold_letters_and_apostrophes_that_have_no_accent_to_strip():
    obrien = GazetteerEntry(50, "Łukasz O'Brien", "PERSON")
    djokovic = GazetteerEntry(51, "Novak Đoković", "PERSON")
    gazetteer = Gazetteer.from_entities([(obrien, ["O'Brien"]), (djokovic, [])])
    text = "Lukasz O’Brien met Novak Dokovic. O’Brien left."
    found = detect(text, gazetteer).mentions
    assert [(m.text, m.entity) for m in found] == [
        ("Lukasz O’Brien", obrien),
        ("Novak Dokovic", djokovic),
        ("O’Brien", obrien),
    ]
    assert gazetteer.lookup("O’Brien") == gazetteer.lookup("lukasz o'brien") == obrien


def test_a_lowercase_word_does_not_match_a_capitalised_name():
    assert mentions("We ate turkey with us in Turkey.") == [("Turkey", "Turkey")]


def test_an_acronym_matches_only_in_capitals():
    assert mentions("The US told us that Us weekly lied.") == [("US", "United States")]


def test_the_longest_match_wins_and_mentions_do_not_overlap():
    text = "The New York Times sent a reporter to New York."
    assert mentions(text) == [
        ("The New York Times", "The New York Times"),
        ("New York", "New York"),
    ]


def test_a_possessive_mention_covers_the_name_alone():
    assert mentions("Turkey’s envoy and Lagos's mayor.") == [
        ("Turkey", "Turkey"),
        ("Lagos", "Lagos"),
    ]


def test_an_adjective_is_not_a_mention_of_its_country():
    gazetteer = Gazetteer.from_entities([(GazetteerEntry(1, "Iraq", "PLACE"), [])])
    assert detect("Iraqi troops left Iraq.", gazetteer).mentions[0].text == ("Iraq")
    assert len(detect("Iraqi troops left Iraq.", gazetteer).mentions) == 1


def test_offsets_count_code_points_past_emoji_and_accents():
    text = "🎉 Ünïcode first. “We won,” said Jane Okafor 🎉."
    found = find(text)
    for mention in found.mentions:
        assert text[mention.start : mention.end] == mention.text
    assert [text[slice(*q.parts[0])] for q in found.quotes] == ["We won,"]


def test_a_gazetteer_matches_many_names_and_their_aliases():
    entries = [
        (GazetteerEntry(i, f"Person Number{i}", "PERSON"), [f"Alias{i}"])
        for i in range(3000)
    ]
    gazetteer = Gazetteer.from_entities(entries)
    found = detect("Alias2999 met Person Number17.", gazetteer)
    assert [m.entity.key for m in found.mentions] == [2999, 17]


# The optional model --------------------------------------------------------


def test_an_unknown_model_name_gives_a_clear_error(settings):
    settings.NEWSREADER_SPACY_MODEL = "xx_no_such_model"
    with pytest.raises(SuggestError, match="xx_no_such_model.*not an installed"):
        store.configured_model()


def test_a_model_s_entities_become_suggestions_with_origin_model(tmp_path, settings):
    # A real pipeline saved to a folder: an entity ruler, so no download.
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Ada Lovelace"},
            {"label": "GPE", "pattern": "Lagos"},
            {"label": "DATE", "pattern": "Monday"},
        ]
    )
    nlp.to_disk(tmp_path / "model")
    settings.NEWSREADER_SPACY_MODEL = str(tmp_path / "model")
    model = store.configured_model()
    found = detect("Ada Lovelace visited Lagos on Monday.", GAZETTEER, model=model)
    assert [(m.text, m.origin, m.kind, m.entity) for m in found.mentions] == [
        ("Ada Lovelace", "model", "PERSON", None),
        ("Lagos", "rules", "PLACE", LAGOS),
    ]


def ruler(*patterns: tuple[str, str]) -> spacy.language.Language:
    """A pipeline whose named entities are exactly ``(label, name)``."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": label, "pattern": name} for label, name in patterns]
    )
    return nlp


def test_a_name_the_table_lacks_is_proposed_as_the_kind_the_model_says():
    model = ruler(
        ("PLACE", "South Carolina"), ("ORG", "White House"), ("ORG", "Pentagon")
    )
    text = "The White House and the Pentagon sent aid to South Carolina."
    found = detect(text, Gazetteer([]), model=model)
    assert [(m.text, m.name, m.kind, m.entity) for m in found.mentions] == [
        ("White House", "White House", "ORG", None),
        ("Pentagon", "Pentagon", "ORG", None),
        ("South Carolina", "South Carolina", "PLACE", None),
    ]


def test_after_a_full_name_its_surname_is_that_person_whoever_the_table_knows():
    melania = GazetteerEntry(60, "Melania Trump", "PERSON")
    gazetteer = Gazetteer.from_entities([(melania, ["Trump"])])
    model = ruler(("PERSON", "Donald Trump"))
    text = (
        "Donald Trump spoke in Ohio. “We will win,” Trump said.\n\n"
        "Melania Trump did not attend."
    )
    found = detect(text, gazetteer, model=model)
    assert [(m.text, m.name, m.entity) for m in found.mentions] == [
        ("Donald Trump", "Donald Trump", None),
        ("Trump", "Donald Trump", None),
        ("Melania Trump", "Melania Trump", melania),
    ]
    assert [q.speaker_name for q in found.quotes] == ["Donald Trump"]


def test_a_model_name_holding_a_known_name_does_not_take_its_title():
    model = ruler(("PERSON", "Chancellor Angela Merkel"))
    found = detect("Chancellor Angela Merkel spoke.", GAZETTEER, model=model)
    assert [(m.text, m.entity) for m in found.mentions] == [("Angela Merkel", MERKEL)]


def test_a_text_too_long_for_the_model_gets_the_rules_alone(caplog):
    text = "Okafor spoke. " + "x" * detect_module.MODEL_MAX_CHARS
    found = detect(text, GAZETTEER, model=ruler(("PERSON", "Okafor")))
    assert [(m.text, m.origin) for m in found.mentions] == [("Okafor", "rules")]
    assert "rules-only suggestions" in caplog.text


@spacy.Language.component("fails_on_boom")
def fails_on_boom(doc):
    if "boom" in doc.text:
        raise ValueError("the model choked")
    return doc


def test_a_text_the_model_fails_on_gets_the_rules_alone_and_the_others_the_model(
    caplog,
):
    model = ruler(("PERSON", "Ada Lovelace"))
    model.add_pipe("fails_on_boom")
    texts = ["Ada Lovelace left.", "boom Ada Lovelace", "Ada Lovelace came back."]
    found = detect_all(texts, Gazetteer([]), model)
    assert [[m.origin for m in f.mentions] for f in found] == [["model"], [], ["model"]]
    assert "The model failed on a text of 17 characters" in caplog.text


@pytest.mark.parametrize(
    "text",
    ["x" * 100_000, "." * 5_000, "?!…" * 2_000, "Ólafur sagði: «Нет» 北京 said 🙂."],
)
def test_texts_a_model_may_choke_on_still_get_suggestions(text):
    found = detect(text, GAZETTEER, model=load_model(DEFAULT_MODEL))
    assert isinstance(found.quotes, list)


def test_the_shipped_model_finds_people_organisations_and_places(settings):
    assert settings.NEWSREADER_SPACY_MODEL == DEFAULT_MODEL
    text = (
        "Barack Obama told reporters at the White House that the Pentagon "
        "would send troops to South Carolina."
    )
    found = detect(text, Gazetteer([]), model=store.configured_model())
    assert {(m.text, m.kind) for m in found.mentions} >= {
        ("Barack Obama", "PERSON"),
        ("South Carolina", "PLACE"),
    }


# From the parse ----------------------------------------------------------------
# Parses written out by hand, in Universal Dependencies' labels as the shipped
# model gives them: each token's head (its index) and relation, so that the
# rules are tested apart from any model's accuracy.


VERB_RELATIONS = {"ROOT", "ccomp", "advcl", "conj", "xcomp", "acl:relcl"}


def parsed(
    text: str, arcs: list[tuple[int, str]], *, gazetteer=GAZETTEER, ents=None, tags=None
):
    """Detection on ``text`` with the parse ``arcs`` (a head index and a
    relation for each token), the entity tags ``ents`` (IOB) and the Penn
    ``tags`` standing for the model's."""
    return detect_one(
        parsed_article(text, arcs, gazetteer=gazetteer, ents=ents, tags=tags)
    )


def parsed_article(
    text: str,
    arcs: list[tuple[int, str]],
    *,
    gazetteer=GAZETTEER,
    ents=None,
    tags=None,
):
    """``text`` with the parse ``arcs``, its quotation marks read, ready for
    the stages that read the parse."""
    words = spacy.blank("en")(text.replace("\n", " "))
    doc = Doc(
        words.vocab,
        words=[w.text for w in words],
        spaces=[bool(w.whitespace_) for w in words],
        heads=[head for head, _ in arcs],
        deps=[dep for _, dep in arcs],
        pos=["VERB" if dep in VERB_RELATIONS else "X" for _, dep in arcs],
        tags=tags,
        ents=ents,
    )
    article = Article(text, tokenize(text), gazetteer, parsed=doc)
    for raw in find_quoted(text):
        first, last = article.token_at(raw.opening), article.token_at(raw.closing)
        article.quoted[first : last + 1] = b"\x01" * (last + 1 - first)
    return article


def test_the_clausal_complement_of_a_verb_of_speech_is_reported_speech():
    text = "Delgado said the victim was in stable condition."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (7, "nsubj"), (7, "cop")]
    arcs += [(7, "case"), (7, "amod"), (1, "ccomp"), (1, "punct")]
    found = parsed(text, arcs)
    assert [
        ([text[s:e] for s, e in q.parts], q.type, text[slice(*q.cue)], q.speaker_name)
        for q in found.quotes
    ] == [(["the victim was in stable condition"], "indirect", "said", "Delgado")]


def test_the_subject_of_the_verb_speaks_past_an_apposition():
    text = "Polly Nnamdi, Shelter’s chief executive, said homelessness was rising."
    arcs = [(1, "flat"), (8, "nsubj"), (6, "punct"), (6, "nmod:poss"), (3, "case")]
    arcs += [(6, "amod"), (1, "appos"), (1, "punct"), (8, "ROOT"), (11, "nsubj")]
    arcs += [(11, "aux"), (8, "ccomp"), (8, "punct")]
    found = parsed(text, arcs)
    assert [(q.speaker_name, q.type) for q in found.quotes] == [
        ("Polly Nnamdi", "indirect")
    ]


def test_a_name_after_the_role_heading_the_subject_speaks():
    # The parse makes "manager" the subject, "Corey" its apposition; the
    # model tagged no name.
    text = "Trump campaign manager Corey Lewandowski said the race was over."
    arcs = [(2, "compound"), (2, "compound"), (5, "nsubj"), (2, "appos")]
    arcs += [(3, "flat"), (5, "ROOT"), (7, "det"), (9, "nsubj"), (9, "cop")]
    arcs += [(5, "ccomp"), (5, "punct")]
    found = parsed(text, arcs)
    assert [q.speaker_name for q in found.quotes] == ["Corey Lewandowski"]


@pytest.mark.parametrize(
    "noun, tag, speaker", [("critics", "NNS", "critics"), ("critic", "NN", "")]
)
def test_people_a_relative_who_stands_for_are_a_described_source(noun, tag, speaker):
    # Many described by "who": "critics who say"; one is left to the rules.
    text = f"There are {noun} who say the law failed."
    arcs = [(1, "expl"), (1, "ROOT"), (1, "nsubj"), (4, "nsubj"), (2, "acl:relcl")]
    arcs += [(6, "det"), (7, "nsubj"), (4, "ccomp"), (1, "punct")]
    tags = ["EX", "VBP", tag, "WP", "VBP", "DT", "NN", "VBD", "."]
    (quote,) = parsed(text, arcs, tags=tags).quotes
    assert [text[slice(*part)] for part in quote.parts] == ["the law failed"]
    assert quote.speaker_name == speaker
    if speaker:
        assert text[slice(*quote.speaker_words)] == "who"


def test_an_unnamed_source_is_a_described_speaker_not_a_new_person():
    text = "A senior official said the talks had failed."
    arcs = [(2, "det"), (2, "amod"), (3, "nsubj"), (3, "ROOT"), (5, "det")]
    arcs += [(7, "nsubj"), (7, "aux"), (3, "ccomp"), (3, "punct")]
    found = parsed(text, arcs)
    [quote] = found.quotes
    assert (quote.speaker_name, quote.speaker, quote.speaker_mention) == (
        "A senior official",
        None,
        None,
    )
    assert text[slice(*quote.speaker_words)] == "A senior official"
    assert found.mentions == []


def test_according_to_a_source_reports_the_rest_of_its_clause():
    text = "According to police, the man fled the scene."
    arcs = [(2, "case"), (0, "fixed"), (6, "obl"), (2, "punct"), (5, "det")]
    arcs += [(6, "nsubj"), (6, "ROOT"), (8, "det"), (6, "obj"), (6, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert [text[s:e] for s, e in quote.parts] == ["the man fled the scene"]
    assert (text[slice(*quote.cue)], quote.speaker_name) == ("According to", "police")


def test_according_to_at_the_end_of_a_sentence_reports_all_before_it():
    # The parser hangs the phrase on the nearest verb, "raising".
    text = (
        "Trump raised the rent in July, when he was raising funds, according to a poll."
    )
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (1, "obj"), (5, "case")]
    arcs += [(1, "obl"), (10, "punct"), (10, "advmod"), (10, "nsubj"), (10, "aux")]
    arcs += [(1, "advcl"), (10, "obj"), (16, "punct"), (16, "case"), (13, "fixed")]
    arcs += [(16, "det"), (10, "obl"), (1, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert [text[s:e] for s, e in quote.parts] == [
        "Trump raised the rent in July, when he was raising funds"
    ]
    assert (text[slice(*quote.cue)], quote.speaker_name) == ("according to", "a poll")


def test_an_attribution_closing_its_sentence_reports_the_clause_before_it():
    # The parser ends a sentence at the comma; "said" roots the next one.
    text = "He had no known political affiliations, EgyptAir said on Thursday."
    arcs = [(1, "nsubj"), (1, "ROOT"), (5, "det"), (5, "amod"), (5, "amod")]
    arcs += [(1, "obj"), (1, "punct"), (8, "nsubj"), (8, "ROOT"), (10, "case")]
    arcs += [(8, "obl"), (8, "punct")]
    [quote] = parsed(text, arcs, gazetteer=Gazetteer([])).quotes
    assert [text[s:e] for s, e in quote.parts] == [
        "He had no known political affiliations"
    ]
    assert (quote.type, text[slice(*quote.cue)], quote.speaker_name) == (
        "indirect",
        "said",
        "EgyptAir",
    )
    # What stands before the comma is a name, not a clause: nothing reported.
    text = "His campaign chairman, John Podesta, said so."
    arcs = [(2, "nmod:poss"), (2, "compound"), (2, "ROOT"), (2, "punct")]
    arcs += [(7, "nsubj"), (4, "flat"), (4, "punct"), (7, "ROOT"), (7, "advmod")]
    arcs += [(7, "punct")]
    assert parsed(text, arcs, gazetteer=Gazetteer([])).quotes == []


def test_a_party_and_state_after_a_name_is_neither_a_name_nor_the_speaker():
    # The parser gave "said" no subject; the model took "R-Fla." for a name.
    text = "“It matters,” Sen. Marco Rubio (R-Fla.) said."
    arcs = [(2, "punct"), (2, "nsubj"), (13, "ccomp"), (2, "punct"), (2, "punct")]
    arcs += [(6, "compound"), (2, "nsubj"), (6, "flat"), (9, "punct"), (6, "appos")]
    arcs += [(9, "punct"), (9, "flat"), (9, "punct"), (13, "ROOT"), (13, "punct")]
    ents = ["O"] * 6 + ["B-PERSON", "I-PERSON", "O"]
    ents += ["B-PERSON", "I-PERSON", "I-PERSON", "O", "O", "O"]
    found = parsed(text, arcs, gazetteer=Gazetteer([]), ents=ents)
    assert [m.text for m in found.mentions] == ["Marco Rubio"]
    assert [q.speaker_name for q in found.quotes] == ["Marco Rubio"]


def test_a_subject_inside_a_prepositional_phrase_is_the_parser_s_mistake():
    # The parser made "pundits" the subject; the name before the verb speaks.
    text = "As for the pundits, Bolton said, “They are wrong.”"
    arcs = [(3, "case"), (0, "fixed"), (3, "det"), (6, "nsubj"), (6, "punct")]
    arcs += [(3, "appos"), (6, "ROOT"), (11, "punct"), (11, "punct"), (11, "nsubj")]
    arcs += [(11, "cop"), (6, "ccomp"), (11, "punct"), (11, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [q.speaker_name for q in found.quotes] == ["Bolton"]


def test_a_relative_clause_taken_for_a_complement_is_not_reported_speech():
    text = "Said Ana Ruiz, who grew up here, “We were proud.”"
    arcs = [(0, "ROOT"), (0, "nsubj"), (1, "flat"), (5, "punct"), (5, "nsubj")]
    arcs += [(0, "ccomp"), (5, "compound:prt"), (5, "advmod"), (12, "punct")]
    arcs += [(12, "punct"), (12, "nsubj"), (12, "cop"), (0, "parataxis")]
    arcs += [(12, "punct"), (12, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [(q.type, q.speaker_name) for q in found.quotes] == [("direct", "Ana Ruiz")]


def test_reported_speech_runs_from_its_that_to_before_the_writer_s_aside():
    text = "Hicks said Monday that staff sign contracts, though she gave no terms."
    arcs = [(1, "nsubj"), (1, "ROOT"), (1, "obl:tmod"), (5, "mark"), (5, "nsubj")]
    arcs += [(1, "ccomp"), (5, "obj"), (10, "punct"), (10, "mark"), (10, "nsubj")]
    arcs += [(5, "advcl"), (12, "det"), (10, "obj"), (1, "punct")]
    # "Monday" hung on the complement, as the parser may have it.
    arcs[2] = (5, "obl:tmod")
    [quote] = parsed(text, arcs, gazetteer=Gazetteer([])).quotes
    assert [text[s:e] for s, e in quote.parts] == ["that staff sign contracts"]
    # A second verb of speech joined on is an act of speech of its own.
    text = "Ruiz said that taxes rose and noted that wages fell."
    arcs = [(1, "nsubj"), (1, "ROOT"), (4, "mark"), (4, "nsubj"), (1, "ccomp")]
    arcs += [(6, "cc"), (4, "conj"), (9, "mark"), (9, "nsubj"), (6, "ccomp")]
    arcs += [(1, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [[text[s:e] for s, e in q.parts] for q in found.quotes] == [
        ["that taxes rose"],
        ["that wages fell"],
    ]


def test_without_a_parse_subject_the_words_by_the_verb_speak():
    # The parser took "Jolly" for an adverb.
    text = "Jolly said he would be careful."
    arcs = [(1, "advmod"), (1, "ROOT"), (5, "nsubj"), (5, "aux"), (5, "cop")]
    arcs += [(1, "ccomp"), (1, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [(q.type, q.speaker_name) for q in found.quotes] == [("indirect", "Jolly")]
    # Past an apposition, and not the adverb opening the sentence.
    text = "Still, Tad Devine, a senior adviser, said that taxes rose."
    arcs = [(9, "advmod"), (9, "punct"), (9, "obl"), (2, "flat"), (7, "punct")]
    arcs += [(7, "det"), (7, "amod"), (2, "appos"), (9, "punct"), (9, "ROOT")]
    arcs += [(12, "mark"), (12, "nsubj"), (9, "ccomp"), (9, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [q.speaker_name for q in found.quotes] == ["Tad Devine"]


def test_who_in_a_relative_clause_is_the_noun_the_clause_hangs_on():
    text = "Talks ended with Thomas Perez, who said he expects a deal."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "case"), (1, "obl"), (3, "flat")]
    arcs += [(7, "punct"), (7, "nsubj"), (3, "acl:relcl"), (9, "nsubj")]
    arcs += [(7, "ccomp"), (11, "det"), (9, "obj"), (1, "punct")]
    [quote] = parsed(text, arcs, gazetteer=Gazetteer([])).quotes
    assert [text[s:e] for s, e in quote.parts] == ["he expects a deal"]
    assert quote.speaker_name == "Thomas Perez"
    assert text[slice(*quote.speaker_words)] == "who"


def test_any_verb_after_the_quotation_it_reports_is_its_cue():
    # "fumed" is on no list; the parse shows the quotation is what it reports.
    text = "“We will not back down,” Okafor fumed on Tuesday."
    arcs = [(4, "punct"), (4, "nsubj"), (4, "aux"), (4, "advmod"), (9, "ccomp")]
    arcs += [(4, "compound:prt"), (4, "punct"), (4, "punct"), (9, "nsubj")]
    arcs += [(9, "ROOT"), (11, "case"), (9, "obl"), (9, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert (quote.speaker_name, text[slice(*quote.cue)]) == ("Jane Okafor", "fumed")
    # Before the quotation, only a verb of speech is its cue.
    text = "Okafor fumed “that nobody listens to us at all.”"
    arcs = [(1, "nsubj"), (1, "ROOT"), (5, "punct"), (5, "mark"), (5, "nsubj")]
    arcs += [(1, "ccomp"), (7, "case"), (5, "obl"), (9, "case"), (5, "obl")]
    arcs += [(5, "punct"), (5, "punct")]
    assert parsed(text, arcs).quotes == []


def test_of_two_subjects_the_one_next_to_the_verb_speaks():
    text = "Growing sharper as he spoke, Trump continued: “We won.”"
    arcs = [(1, "amod"), (7, "nsubj"), (4, "mark"), (4, "nsubj"), (7, "advcl")]
    arcs += [(4, "punct"), (7, "nsubj"), (7, "ROOT"), (7, "punct"), (11, "punct")]
    arcs += [(11, "nsubj"), (7, "ccomp"), (11, "punct"), (11, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [q.speaker_name for q in found.quotes] == ["Trump"]


def test_a_quotation_after_reported_speech_is_the_same_speakers():
    text = "Carter said that the region was safe.\n“We are staying here.”"
    arcs = [(1, "nsubj"), (1, "ROOT"), (6, "mark"), (4, "det"), (6, "nsubj")]
    arcs += [(6, "cop"), (1, "ccomp"), (1, "punct"), (11, "punct"), (11, "nsubj")]
    arcs += [(11, "aux"), (11, "ROOT"), (11, "advmod"), (11, "punct"), (11, "punct")]
    found = parsed(text, arcs, gazetteer=Gazetteer([]))
    assert [(q.type, q.speaker_name) for q in found.quotes] == [
        ("indirect", "Carter"),
        ("direct", "Carter"),
    ]


def test_a_role_no_one_was_named_with_is_a_described_speaker():
    text = "Jane Okafor left. The mayor said the roads had reopened."
    arcs = [(1, "flat"), (2, "nsubj"), (2, "ROOT"), (2, "punct"), (5, "det")]
    arcs += [(6, "nsubj"), (6, "ROOT"), (8, "det"), (10, "nsubj"), (10, "aux")]
    arcs += [(6, "ccomp"), (6, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert (quote.speaker_name, quote.speaker) == ("The mayor", None)
    text = "Mayor Jane Okafor left. The mayor said the roads had reopened."
    arcs = [(1, "compound"), (3, "nsubj"), (1, "flat"), (3, "ROOT"), (3, "punct")]
    arcs += [(6, "det"), (7, "nsubj"), (7, "ROOT"), (9, "det"), (11, "nsubj")]
    arcs += [(11, "aux"), (7, "ccomp"), (7, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert quote.speaker_name == "Jane Okafor"


def test_a_quotation_that_is_all_the_verb_reports_is_direct_and_a_fragment_partial():
    text = "Merkel tweeted “Thanks to all” on Thursday."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "punct"), (1, "obj"), (5, "case")]
    arcs += [(3, "nmod"), (3, "punct"), (8, "case"), (1, "obl"), (1, "punct")]
    assert [q.type for q in parsed(text, arcs).quotes] == ["direct"]
    text = "Merkel said the city was “a war zone” now."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (8, "nsubj"), (8, "cop")]
    arcs += [(8, "punct"), (8, "det"), (8, "compound"), (1, "ccomp"), (8, "punct")]
    arcs += [(8, "advmod"), (1, "punct")]
    assert [q.type for q in parsed(text, arcs).quotes] == ["partial"]


def test_a_subject_outside_the_quotation_marks_is_the_speaker():
    # The parser hung the quotation's subject on "said" too.
    text = "“Every one agreed,” said Tomasz Wielki."
    arcs = [(3, "punct"), (2, "det"), (6, "nsubj"), (6, "ccomp"), (3, "punct")]
    arcs += [(3, "punct"), (6, "ROOT"), (6, "nsubj"), (7, "flat"), (6, "punct")]
    article = parsed_article(text, arcs)
    assert reporting_clauses(article)[6].subject == 7
    assert [q.speaker_name for q in parsed(text, arcs).quotes] == ["Tomasz Wielki"]


def test_the_infinitive_of_a_verb_of_intent_is_reported_speech():
    # Merkel(0) promised(1) to(2) cut(3) taxes(4) by(5) June(6) .(7)
    text = "Merkel promised to cut taxes by June."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "mark"), (1, "xcomp"), (3, "obj")]
    arcs += [(6, "case"), (3, "obl"), (1, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert ([text[s:e] for s, e in quote.parts], quote.speaker_name) == (
        ["to cut taxes by June"],
        "Angela Merkel",
    )
    # "Wanted" is not a verb of intent here: most of its infinitives on the
    # dev set were not attributions.
    text = "Merkel wanted to cut taxes by June."
    assert parsed(text, arcs).quotes == []


def test_a_place_the_model_names_speaks_as_an_organisation():
    # "The White House said": the body there; "Intel said": a company the
    # model took for a place.
    text = "The White House said the talks had failed."
    arcs = [(2, "det"), (2, "compound"), (3, "nsubj"), (3, "ROOT"), (5, "det")]
    arcs += [(7, "nsubj"), (7, "aux"), (3, "ccomp"), (3, "punct")]
    ents = ["O", "B-PLACE", "I-PLACE", "O", "O", "O", "O", "O", "O"]
    found = parsed(text, arcs, gazetteer=Gazetteer([]), ents=ents)
    assert [(m.text, m.kind) for m in found.mentions] == [("White House", "ORG")]
    assert [q.speaker_name for q in found.quotes] == ["White House"]
    text = "Intel said the talks had failed. Intel is in Santa Clara."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (5, "nsubj"), (5, "aux")]
    arcs += [(1, "ccomp"), (1, "punct"), (8, "nsubj"), (8, "ROOT"), (11, "case")]
    arcs += [(11, "compound"), (8, "obl"), (8, "punct")]
    ents = ["B-PLACE"] + ["O"] * 6 + ["B-PLACE", "O", "O", "B-PLACE", "I-PLACE", "O"]
    found = parsed(text, arcs, gazetteer=Gazetteer([]), ents=ents)
    assert [(m.text, m.kind) for m in found.mentions] == [
        ("Intel", "ORG"),
        ("Intel", "PLACE"),
        ("Santa Clara", "PLACE"),
    ]
    assert [q.speaker_name for q in found.quotes] == ["Intel"]


def test_a_place_in_the_entity_table_is_never_a_speaker():
    text = "Ohio said the talks had failed."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (5, "nsubj"), (5, "aux")]
    arcs += [(1, "ccomp"), (1, "punct")]
    gazetteer = Gazetteer.from_entities([(GazetteerEntry(9, "Ohio", "PLACE"), [])])
    found = parsed(text, arcs, gazetteer=gazetteer)
    assert [(m.text, m.kind) for m in found.mentions] == [("Ohio", "PLACE")]
    assert [q.speaker_name for q in found.quotes] == [""]


def test_a_name_after_a_title_is_a_person_whatever_the_model_calls_it():
    text = "FBI Director James Comey said the statements were wrong."
    arcs = [(1, "compound"), (4, "nsubj"), (1, "flat"), (2, "flat"), (4, "ROOT")]
    arcs += [(6, "det"), (8, "nsubj"), (8, "cop"), (4, "ccomp"), (4, "punct")]
    ents = ["B-PLACE", "I-PLACE", "I-PLACE", "I-PLACE"] + ["O"] * 6
    found = parsed(text, arcs, gazetteer=Gazetteer([]), ents=ents)
    assert [(m.text, m.kind) for m in found.mentions] == [("James Comey", "PERSON")]
    assert [q.speaker_name for q in found.quotes] == ["James Comey"]
    # An organisation's name holding a title stays the model's.
    text = "The Board of Governors Group said the statements were wrong."
    arcs = [(1, "det"), (5, "nsubj"), (3, "case"), (1, "nmod"), (5, "compound")]
    arcs += [(5, "ROOT"), (7, "det"), (9, "nsubj"), (9, "cop"), (5, "ccomp")]
    arcs += [(5, "punct")]
    ents = ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG"] + ["O"] * 6
    found = parsed(text, arcs, gazetteer=Gazetteer([]), ents=ents)
    assert [(m.text, m.kind) for m in found.mentions] == [
        ("Board of Governors Group", "ORG")
    ]


def test_laws_events_and_storms_the_model_names_are_not_proposed():
    text = "The HEROES Act passed before Cyclone Phailin, said Jane Okafor."
    arcs = [(2, "det"), (2, "compound"), (3, "nsubj"), (8, "ccomp"), (6, "case")]
    arcs += [(6, "compound"), (3, "obl"), (8, "punct"), (8, "ROOT"), (8, "nsubj")]
    arcs += [(9, "flat"), (8, "punct")]
    ents = ["O", "B-ORG", "I-ORG", "O", "O", "B-PERSON", "I-PERSON", "O", "O"]
    ents += ["B-PERSON", "I-PERSON", "O"]
    found = parsed(text, arcs, gazetteer=Gazetteer([]), ents=ents)
    assert [m.text for m in found.mentions] == ["Jane Okafor"]


def test_a_capitalised_source_that_is_no_name_is_described():
    text = "Police said the girl was hurt in the crowd."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (5, "nsubj:pass"), (5, "aux")]
    arcs += [(1, "ccomp"), (8, "case"), (8, "det"), (5, "obl"), (1, "punct")]
    [quote] = parsed(text, arcs, gazetteer=Gazetteer([])).quotes
    assert (quote.speaker_name, quote.speaker) == ("Police", None)
    text = "Most of the candidates, who met in Ames, said they back the plan."
    arcs = [(10, "nsubj"), (3, "case"), (3, "det"), (0, "nmod"), (5, "punct")]
    arcs += [(5, "nsubj"), (3, "acl:relcl"), (8, "case"), (5, "obl"), (3, "punct")]
    arcs += [(10, "ROOT"), (12, "nsubj"), (10, "ccomp"), (14, "det"), (12, "obj")]
    arcs += [(10, "punct")]
    [quote] = parsed(text, arcs, gazetteer=Gazetteer([])).quotes
    assert quote.speaker_name == "Most of the candidates"
    assert text[slice(*quote.speaker_words)] == "Most of the candidates"
    # A parse that makes a day the subject names no source.
    text = "Sunday said the talks had failed."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (5, "nsubj"), (5, "aux")]
    arcs += [(1, "ccomp"), (1, "punct")]
    [quote] = parsed(text, arcs, gazetteer=Gazetteer([])).quotes
    assert quote.speaker_name == ""


def test_a_participle_that_opens_a_quote_is_its_cue_over_an_earlier_verb():
    # "asked" takes its subject from "said" too, so both cues find Okafor.
    text = "When asked, Okafor said, “Not yet,” adding, “It is a possibility.”"
    arcs = [(1, "mark"), (4, "advcl"), (4, "punct"), (4, "nsubj"), (4, "ROOT")]
    arcs += [(4, "punct"), (8, "punct"), (8, "advmod"), (4, "ccomp"), (8, "punct")]
    arcs += [(8, "punct"), (4, "advcl"), (11, "punct"), (17, "punct"), (17, "nsubj")]
    arcs += [(17, "cop"), (17, "det"), (11, "ccomp"), (17, "punct"), (17, "punct")]
    found = parsed(text, arcs)
    assert [(text[slice(*q.cue)], q.speaker_name) for q in found.quotes] == [
        ("said", "Jane Okafor"),
        ("adding", "Jane Okafor"),
    ]


def test_a_place_is_never_the_speaker():
    text = "Lagos said the roads had reopened."
    arcs = [(1, "nsubj"), (1, "ROOT"), (3, "det"), (5, "nsubj"), (5, "aux")]
    arcs += [(1, "ccomp"), (1, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert (quote.speaker_name, quote.speaker) == ("", None)


def test_a_verb_outside_the_cue_words_attributes_the_quote_it_governs():
    text = "“We lost,” Okafor conceded."
    arcs = [(2, "punct"), (2, "nsubj"), (6, "ccomp"), (2, "punct"), (2, "punct")]
    arcs += [(6, "nsubj"), (6, "ROOT"), (6, "punct")]
    [quote] = parsed(text, arcs).quotes
    assert (text[slice(*quote.cue)], quote.speaker_name) == ("conceded", "Jane Okafor")


# Stored suggestions ----------------------------------------------------------

BODY = (
    "Jane Okafor inspected the flood defences of Lagos on Monday.\n\n"
    "“The water came at night,” Okafor said, “nobody was ready.”\n\n"
    "“We are not afraid,” said Tomasz Wielki, a fisherman."
)


@pytest.fixture
def okafor(db) -> Entity:
    return make_entity("Jane Okafor", aliases=("Okafor",))


@pytest.fixture
def article(db, okafor):
    make_entity("Lagos", kind="PLACE")
    return make_article(body=BODY)


def suggested(article) -> list[Span]:
    return list(Span.objects.filter(article=article, status="suggested"))


def test_suggest_article_stores_spans_mentions_and_quotes_as_suggestions(
    article, okafor
):
    summary = suggest_article(article=article)
    assert (summary.articles, summary.mentions, summary.quotes) == (1, 4, 2)
    spans = suggested(article)
    assert spans
    for span in spans:
        assert article.body[span.start : span.end] == span.exact
        # The table's names are the rules'; a new one may be the model's.
        assert span.review is None and span.origin in {"rules", "model"}
        assert article.body[: span.start].endswith(span.prefix)
        assert article.body[span.end :].startswith(span.suffix)
    assert sorted(
        Mention.objects.filter(span__article=article).values_list(
            "span__exact", "entity__name"
        )
    ) == [
        ("Jane Okafor", "Jane Okafor"),
        ("Lagos", "Lagos"),
        ("Okafor", "Jane Okafor"),
        ("Tomasz Wielki", "Tomasz Wielki"),
    ]
    first, second = Quote.objects.filter(article=article).order_by("pk")
    assert first.review is None and 0 < first.confidence <= 1
    assert [p.exact for p in first.parts.order_by("start")] == [
        "The water came at night,",
        "nobody was ready.",
    ]
    assert first.speaker == okafor
    assert first.speaker_mention.span.exact == "Okafor"
    assert first.cue.exact == "said" and first.cue.status == "suggested"
    assert second.speaker.name == "Tomasz Wielki"


def test_stored_suggestions_link_other_spellings_of_the_tables_names(db):
    obrien = make_entity("Łukasz O'Brien", aliases=("O'Brien",))
    article = make_article(
        body="“We will build it,” said Lukasz O’Brien. O’Brien left."
    )
    suggest_article(article=article)
    mentions = Mention.objects.filter(span__article=article).order_by("span__start")
    assert [(m.span.exact, m.entity) for m in mentions] == [
        ("Lukasz O’Brien", obrien),
        ("O’Brien", obrien),
    ]
    assert Quote.objects.get(article=article).speaker == obrien


def test_an_unknown_speaker_becomes_a_suggested_entity_once(article):
    suggest_article(article=article)
    suggest_article(article=article)
    wielki = Entity.objects.get(name="Tomasz Wielki")
    assert wielki.status == Entity.Status.SUGGESTED
    assert wielki.kind == "PERSON"


def test_a_speaker_named_in_full_earlier_is_one_proposed_entity(db):
    article = make_article(
        body=(
            "Ana Lucía Ferreira, the city's emergency director, spoke at noon.\n\n"
            "“This is not a drill,” Ferreira told reporters."
        )
    )
    suggest_article(article=article)
    ferreira = Entity.objects.get(status=Entity.Status.SUGGESTED)
    assert ferreira.name == "Ana Lucía Ferreira"
    linked = Mention.objects.filter(span__article=article, entity=ferreira)
    assert sorted(linked.values_list("span__exact", flat=True)) == [
        "Ana Lucía Ferreira",
        "Ferreira",
    ]
    assert Quote.objects.get(article=article).speaker == ferreira


def test_a_pronoun_for_a_proposed_person_stores_that_person_as_speaker(db):
    # Pronouns, roles and quotes carried on from the one before name their
    # speaker elsewhere; with a new person that is the only way to store them.
    article = make_article(
        body=(
            "Ana Lucía Ferreira, the city's emergency director, spoke at noon.\n\n"
            "“This is not a drill,” she told reporters.\n\n"
            "“We are ready for the storm, and the shelters are open.”"
        )
    )
    suggest_article(article=article)
    ferreira = Entity.objects.get(status=Entity.Status.SUGGESTED)
    assert ferreira.name == "Ana Lucía Ferreira"
    quotes = Quote.objects.filter(article=article).order_by("pk")
    assert [(q.speaker, q.speaker_mention) for q in quotes] == [
        (ferreira, None),
        (ferreira, None),
    ]


def test_a_proposed_organisation_is_stored_as_one(db):
    article = make_article(body="“Ports will close,” said the Pacific Rim Authority.")
    suggest_article(article=article)
    proposed = Entity.objects.get(status=Entity.Status.SUGGESTED)
    assert (proposed.name, proposed.kind) == ("Pacific Rim Authority", "ORG")


def test_suggesting_again_replaces_the_earlier_suggestions(article):
    suggest_article(article=article)
    before = sorted(
        (s.start, s.end, s.quote_id is not None) for s in suggested(article)
    )
    summary = suggest_article(article=article)
    after = sorted((s.start, s.end, s.quote_id is not None) for s in suggested(article))
    assert after == before
    assert summary.replaced == len(before)
    assert Quote.objects.filter(article=article).count() == 2
    assert Mention.objects.filter(span__article=article).count() == 4


def test_suggesting_again_keeps_reviewers_spans_and_rejected_suggestions(
    article, okafor, users
):
    review = start_review(article=article, reviewer=users["reviewer"])
    own = create_mention(review=review, start=0, end=11, entity=okafor)
    suggest_article(article=article)
    lagos = Span.objects.get(article=article, status="suggested", exact="Lagos")
    lagos.status = Span.Status.REJECTED
    lagos.save()
    suggest_article(article=article)
    assert Mention.objects.filter(pk=own.pk).exists()
    assert Span.objects.get(pk=lagos.pk).status == "rejected"
    assert not Span.objects.filter(article=article, status="suggested", exact="Lagos")


def test_a_new_alias_is_matched_on_the_next_run(article, okafor):
    suggest_article(article=article)
    assert not Mention.objects.filter(span__exact="Tomasz Wielki", entity=okafor)
    fisher = Entity.objects.create_named(name="Tomasz Wielki", kind="PERSON")
    suggest_article(article=article)
    mention = Mention.objects.get(span__exact="Tomasz Wielki", span__status="suggested")
    assert mention.entity == fisher
    # The proposal made by the first run is gone with its suggestions.
    assert not Entity.objects.filter(status=Entity.Status.SUGGESTED)


def test_a_merged_entitys_names_find_the_entity_it_was_merged_into(db):
    target = make_entity("Jane Okafor")
    make_entity("J. Okafor-Bello", aliases=("Okafor-Bello",), merged_into=target)
    article = make_article(body="Okafor-Bello flew to Abuja.")
    suggest_article(article=article)
    mention = Mention.objects.get(span__article=article, span__exact="Okafor-Bello")
    assert mention.entity == target


def test_suggest_command_runs_on_the_given_articles_and_prints_a_summary(article):
    other = make_article(body="Nothing to see here.")
    out = StringIO()
    call_command("suggest", "--article", str(article.pk), stdout=out, stderr=StringIO())
    assert "1 article: 4 mentions, 2 quotes, 1 new entities" in out.getvalue()
    assert not Span.objects.filter(article=other)
    out = StringIO()
    call_command("suggest", "--all", "--batch-size", "1", stdout=out, stderr=StringIO())
    assert "2 articles: 4 mentions, 2 quotes" in out.getvalue()
    out = StringIO()
    call_command("suggest", "--article", str(article.pk), str(other.pk), stdout=out)
    assert "2 articles: 4 mentions" in out.getvalue()


def test_suggest_command_refuses_unknown_articles_and_no_choice(db):
    with pytest.raises(CommandError, match="No article with id 424242"):
        call_command("suggest", "--article", "424242")
    with pytest.raises(CommandError):
        call_command("suggest")


def test_suggest_command_reports_a_missing_model_without_a_traceback(article, settings):
    settings.NEWSREADER_SPACY_MODEL = "xx_no_such_model"
    with pytest.raises(CommandError, match="not an installed spaCy model"):
        call_command("suggest", "--all", stdout=StringIO())
    assert not suggested(article)


def test_the_gazetteer_is_built_once_while_the_table_is_unchanged(okafor):
    first = store.gazetteer_from_db()
    assert store.gazetteer_from_db() is first
    Alias.objects.create(entity=okafor, name="J.O.", normalized=normalize_name("J.O."))
    assert store.gazetteer_from_db() is not first


def bodies(n: int) -> list[str]:
    return [f"{BODY}\n\nThe {i}th report." for i in range(n)]


def other_sessions() -> int:
    """Connections to this database other than this thread's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def stored_on(monkeypatch) -> list[threading.Thread]:
    """The thread that stored each batch, in order."""
    threads = []
    original = store._store

    def spy(articles, found):
        threads.append(threading.current_thread())
        return original(articles, found)

    monkeypatch.setattr(store, "_store", spy)
    return threads


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_writer_thread_stores_batches_while_the_next_are_found(
    stored_on,
):
    make_entity("Jane Okafor", aliases=("Okafor",))
    articles = [make_article(body=body) for body in bodies(3)]
    totals = []
    sessions = other_sessions()

    summary = suggest_articles(
        articles=iter(articles),
        batch_size=1,
        progress=lambda total: totals.append(total.articles),
    )

    # The last batch has no next one to overlap with: it is stored here.
    caller = threading.current_thread()
    assert [thread is caller for thread in stored_on] == [False, False, True]
    assert not stored_on[0].is_alive()
    assert other_sessions() == sessions  # the writer closed its connection
    assert totals == [1, 2, 3]
    assert (summary.articles, summary.mentions, summary.quotes) == (3, 9, 6)
    assert summary.new_entities == 1
    for article in articles:
        assert Quote.objects.filter(article=article).count() == 2
        assert Mention.objects.filter(span__article=article).count() == 3


def test_inside_a_transaction_every_batch_is_stored_in_it(db, stored_on):
    articles = [make_article(body=body) for body in bodies(3)]
    summary = suggest_articles(articles=articles, batch_size=1)
    assert stored_on == [threading.current_thread()] * 3
    assert summary.quotes == 6


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_writer_thread_fails_to_store_fails_the_call(monkeypatch):
    articles = [make_article(body=body) for body in bodies(3)]

    def fail(articles, found):
        raise RuntimeError("no room left")

    monkeypatch.setattr(store, "_store", fail)
    with pytest.raises(RuntimeError, match="no room left"):
        suggest_articles(articles=articles, batch_size=1)
    assert not Span.objects.exists()


REED = GazetteerEntry(50, "Tom Reed", "PERSON")
MARSH = GazetteerEntry(51, "Helen Marsh", "PERSON")


def test_she_is_not_a_man_the_text_calls_mr():
    text = (
        "Mr Reed opened the meeting. Helen Marsh, the treasurer, spoke next. "
        "Reed said the budget was tight. “We have waited long enough,” she said."
    )
    gazetteer = Gazetteer.from_entities([(REED, ["Reed"]), (MARSH, [])])
    assert detect(text, gazetteer).quotes[-1].speaker_name == "Helen Marsh"


def test_she_is_not_a_man_who_said_he_and_no_one_rather_than_him():
    text = "Tom Reed said he would vote yes. “We have waited long enough,” she said."
    assert cues(text, REED)[-1] == ("said", "")
