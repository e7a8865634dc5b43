"""The word lists the stages share: reporting verbs, titles, roles, pronouns,
words that are not names, and the quotation marks.
"""

from __future__ import annotations

import re

from annotations.suggest.results import ORG, PERSON


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Reporting verbs and phrases. Only these, outside quotation marks, make a
# quote's attribution.
CUES = sorted(
    _words(
        "said says say saying told tells tell telling added adds adding asked asks "
        "asking warned warns insisted insists insisting stated explained explains "
        "explaining noted notes noting claimed argued argues replied replies wrote "
        "writes declared declares stressed stresses continued recalled recalls "
        "acknowledged admitted admits urged urges commented remarked responded "
        "observed concluded confirmed confirms announced announces tweeted posted "
        "reported suggested called calling calls dubbed branded described "
        "describing describes conceded concedes shouted joked quipped"
    )
) + ["according to", "went on", "went on to say", "shot back"]


# Reported speech without marks counts only with a plain speech verb and a
# clause after it; "announced that" and the like report events, not words.
INDIRECT_CUES = _words(
    "said says told tells added adds warned warns insisted insists stated "
    "explained explains noted notes claimed argued argues stressed stresses "
    "admitted acknowledged"
)


# Verbs whose clausal complement reports what someone said, wrote or holds
# true, by lemma (see ``clauses``). Other verbs report speech only with a
# quotation. "Think", "believe" and "feel" are left out: on the dev set's
# develop part, fewer than half of their complements were attributions.
REPORTING_LEMMAS = _words(
    "say tell add warn claim argue insist state explain note write report "
    "announce confirm deny admit acknowledge suggest predict promise vow pledge "
    "declare stress emphasize emphasise complain concede contend assert "
    "maintain allege tweet post reply respond recall testify indicate estimate "
    "agree urge answer mention reveal disclose show find conclude caution "
    "signal hint remark observe comment repeat reiterate counter boast lament "
    "worry fear hope expect speculate assure inform notify remind "
    "proclaim charge accuse joke quip recount describe"
)


def _inflections(lemma: str) -> set[str]:
    """A regular verb's forms: "note" → note, notes, noted, noting."""
    if lemma.endswith("e"):
        return {lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return {lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    plural = lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return {lemma, plural, lemma + "ed", lemma + "ing"}


_IRREGULAR_FORMS = {
    "say": "said",
    "tell": "told",
    "write": "wrote written",
    "think": "thought",
    "find": "found",
    "feel": "felt",
    "show": "shown",
    "admit": "admitted admitting",
    "quip": "quipped quipping",
}
# Verbs whose infinitive complement reports an intent or a call, as news
# attributes them: "promised to begin …", "urged Congress to act".
INTENT_LEMMAS = _words(
    "promise vow threaten hope expect refuse agree offer seek claim ask"
)
# Each form of those verbs, by the verb: "said" → "say". The shipped
# pipeline has no lemmatizer.
REPORTING_FORMS = {
    form: lemma
    for lemma in REPORTING_LEMMAS | INTENT_LEMMAS
    for form in _inflections(lemma) | set(_IRREGULAR_FORMS.get(lemma, "").split())
}

# Cues whose speaker stands before them ("Abadi told France 24 ...").
SUBJECT_ONLY_CUES = frozenset({"told", "tells", "tell", "telling"})


# Cues whose speaker follows them ("according to the minister").
OBJECT_CUES = frozenset({"according to"})


# Cues that say what their object is ("called the closure “reckless”"): they
# attribute only a quote after their object, in their clause, since most
# uses ("a town called Marion") quote no one.
NAMING_CUES = _words(
    "called calling calls dubbed branded described describing describes"
)


# Words that open another clause: a cue after one of them, after the quote,
# reports other words ("Fans chanted “…” although the chairman said ...").
CLAUSE_BREAKS = frozenset({"although", "while", "whereas", "but", "which"})


# Words joining a second verb to its sentence's subject ("… and said").
COORDINATORS = frozenset({"and", "but"})


CLAUSE_STARTERS = frozenset({"he", "she", "it", "they", "we", "there", "i"})


# Words before a cue that deny the speech ("would not say", "declined to
# say whether"): the cue reports nothing.
NEGATIONS = frozenset({"not", "n't", "never"})


REFUSALS = _words("declined declines declining refused refuses refusing")


PRONOUNS = {"he": PERSON, "she": PERSON, "they": ORG, "it": ORG}


# What gives a person's gender in the text itself, for "he" and "she": a
# title just before the name, or the pronoun just after their cue.
GENDERS = {"he": "m", "she": "f"}


GENDERED_TITLES = dict.fromkeys(_words("mr sir lord king prince"), "m") | (
    dict.fromkeys(
        _words(
            "mrs ms miss dame lady queen princess spokeswoman chairwoman "
            "congresswoman councilwoman businesswoman"
        ),
        "f",
    )
)


ROLE_NOUNS = _words(
    "minister president premier chancellor spokesman spokeswoman spokesperson "
    "official officer general senator governor mayor secretary ambassador "
    "envoy diplomat chief director chairman chairwoman chair leader commander "
    "prosecutor judge lawyer attorney head executive founder ceo king queen "
    "prince pope bishop lawmaker legislator mp congressman congresswoman "
    "representative negotiator adviser advisor analyst economist researcher "
    "professor scientist doctor coach captain manager boss councilor councillor "
    "speaker sergeant owner pollster strategist candidate nominee aide "
    "consultant"
)


DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "its"})


# Words before a name that belong to the title, not the name.
TITLE_WORDS = _words(
    "mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame lord lady rev rev. "
    "president prime minister foreign defence defense interior finance "
    "secretary general gen gen. lieutenant lt lt. colonel col col. major "
    "captain capt sergeant admiral senator sen sen. rep rep. representative "
    "governor gov gov. mayor chancellor king queen prince princess pope judge "
    "justice chief director spokesman spokeswoman spokesperson ambassador "
    "commissioner deputy vice state chairman chairwoman ceo coach officer "
    "former acting senior top councilor councillor city ward congresswoman "
    "congressman speaker leader sgt sgt. boss cllr cllr. councilman "
    "councilwoman alderman insp insp. inspector det det. detective supt supt. "
    "superintendent constable pc cmdr cmdr. commander financial operating "
    "executive"
)


# Abbreviated titles, by the role noun that names the same office.
TITLE_ROLES = {
    "sen": "senator",
    "gov": "governor",
    "rep": "representative",
    "gen": "general",
    "sgt": "sergeant",
    "capt": "captain",
    "prof": "professor",
    "dr": "doctor",
    "cllr": "councillor",
    "insp": "inspector",
    "det": "detective",
    "supt": "superintendent",
    "cmdr": "commander",
}


# How a demonym used as a noun ends: "the Spaniard", "the Irishman".
DEMONYM_ENDINGS = ("ian", "ean", "can", "ese", "man", "ard", "i")


POSSESSIVES = frozenset({"'s", "’s", "'", "’"})


NAME_PARTICLES = _words(
    "al el bin ibn bint abu de da di del della der den van von le la du dos das "
    "st st. mc"
)


# Days and months, which a parse sometimes makes the subject of a verb of
# speech ("Sanders (I-Vt.) said Sunday"): no source, even a described one.
TIME_WORDS = _words(
    "monday tuesday wednesday thursday friday saturday sunday january "
    "february march april june july august september october november "
    "december"
)


# Capitalised words that stand before "said" and are not names.
NOT_NAMES = (
    _words(
        "i he she it we they you this that these those there here who which what "
        "the a an officials official police witnesses analysts experts residents "
        "authorities critics sources reports observers others some many most "
        "several both all everyone someone nobody people government ministry "
        "spokesman spokeswoman spokesperson statement may but and or so then "
        "meanwhile however also later earlier yesterday today tonight "
        "diplomats lawmakers leaders officers troops soldiers doctors scientists "
        "researchers investigators prosecutors lawyers economists"
    )
    | TIME_WORDS
)


# The last word of an organisation's name, not a person's, or its first before
# "of" or "for" ("Department for Transport").
ORGANISATION_WORDS = _words(
    "authority agency ministry council party bank company group association "
    "institute university committee commission union federation corporation "
    "inc inc. ltd ltd. plc police army navy service office department board "
    "court organisation organization foundation fund trust society club "
    "airlines airways network league coalition alliance foods holdings "
    "corp corp. co co. llc college school hospital partners "
    "capital motors industries energy media"
)


# Words before a place or a body that is not the subject: "Students at
# Kirklees College", "Lena Ortiz of New Mexico".
PREPOSITIONS = _words("of for from at in with by near on inside outside")


# Words a verb's subject never opens with: a prepositional phrase is no
# subject, whatever the parser made of it.
SUBJECT_NEVER_OPENS = PREPOSITIONS | _words("as about after before despite like")
RELATIVE_PRONOUNS = _words("who whom whose which")
# What stands for the noun a relative clause hangs on when it is the
# clause's subject: "Thomas Perez, who said …".
RELATIVE_SUBJECTS = _words("who which that")
# Words opening a clause the writer adds after a comma to what was said.
WRITERS_ADDITIONS = _words("though although while whereas")


# Words that may follow a verb of speech in a sentence that says only who
# spoke, where, when or to whom: “…?” Okafor said on Monday, to reporters.
AFTER_SAYING = PREPOSITIONS | _words(
    "about during after before to reporters journalists today yesterday "
    "tonight later earlier last this recently again afterward afterwards "
    "then once twice simply flatly"
)


# Capitalised at the start of a sentence, before a name.
LEADING_WORDS = _words(
    "on in at by for with from and but as after before when while if since "
    "until despite meanwhile however still yet instead also separately "
    "similarly likewise nevertheless nonetheless moreover indeed thus "
    "therefore later earlier again now"
)


# Two apostrophes are one double mark, as some newspapers' text has them
# (''We won,'' she said).
MARKS = re.compile(r"''|[\"'“”„‟«»‘’‚‛‹›]")


OPEN_DOUBLE = frozenset("“„‟«")


CLOSE_DOUBLE = frozenset("”»")


OPEN_SINGLE = frozenset("‘‚‛‹")


CLOSE_SINGLE = frozenset("’›")


PARAGRAPHS = re.compile(r"\n\s*")


WORD = re.compile(r"\w", re.UNICODE)


SENTENCE_END = frozenset(".!?")


# How the first part of a quote broken by its attribution ends: “We tried,”
BROKEN_OFF = frozenset(",—–…:")


# What ends a sentence or a clause, outside quotation marks.
CLAUSE_ENDS = frozenset({".", ";", ":", "!", "?"})


CLAUSE_PUNCTUATION = CLAUSE_ENDS | {","}


# What stands before the opening mark of a quote that is its own utterance.
BEFORE_DIRECT = frozenset({",", ":", ";", "—", "–", "-", "(", ".", "!", "?"}) | (
    CLOSE_DOUBLE | CLOSE_SINGLE | {'"', "'"}
)


AMBIGUOUS = {"'": "single", '"': "double"}


# What may stand right before an opening mark.
BEFORE_OPENING = frozenset(" \n\t([{—–-/:")


# The last word of the name of a law or an event ("the HEROES Act", "World
# War II", "the Summer Olympic Games"), and the first of a storm's
# ("Cyclone Phailin"): names, but of no person, organisation or place.
LAW_OR_EVENT_WORDS = _words(
    "act acts bill code decree treaty accord accords amendment revolution war "
    "wars ages games olympics crusades cup championship championships prize "
    "awards summit"
)
STORM_WORDS = _words("hurricane cyclone typhoon storm tropical")
