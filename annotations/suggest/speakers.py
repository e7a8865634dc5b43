"""Who said each quote: the speaker next to its cue, a pronoun's or a role's
antecedent, or the speaker of the quote before; and reported speech.
"""

from __future__ import annotations

from dataclasses import replace

from annotations.suggest.clauses import Clause
from annotations.suggest.cues import (
    Cue,
    QuoteGroup,
    attribution_after,
    cue_fits,
    pronoun_beside,
)
from annotations.suggest.lexicon import (
    CLAUSE_ENDS,
    CLAUSE_STARTERS,
    CLOSE_DOUBLE,
    CLOSE_SINGLE,
    COORDINATORS,
    DETERMINERS,
    INDIRECT_CUES,
    LEADING_WORDS,
    NAME_PARTICLES,
    OBJECT_CUES,
    ORGANISATION_WORDS,
    POSSESSIVES,
    PREPOSITIONS,
    PRONOUNS,
    RELATIVE_PRONOUNS,
    ROLE_NOUNS,
    SUBJECT_NEVER_OPENS,
    SUBJECT_ONLY_CUES,
    TIME_WORDS,
    TITLE_WORDS,
)
from annotations.suggest.people import (
    Speaker,
    is_plural_role,
    is_role,
    name_run_left,
    name_run_right,
    new_name,
    new_organisation,
    organisation_by_word,
    resolve_pronoun,
    resolve_role,
)
from annotations.suggest.quotes import quote_type
from annotations.suggest.results import (
    DIRECT,
    INDIRECT,
    ORG,
    OTHER,
    PARTIAL,
    PERSON,
    PLACE,
    FoundMention,
    FoundQuote,
)
from annotations.suggest.tokens import Article, is_name_token


def attribute_quotes(
    article: Article,
    groups: list[QuoteGroup],
    cues: list[Cue],
    clauses: dict[int, Clause],
    reported: list[FoundQuote],
) -> list[FoundQuote]:
    """A quote for each group of quoted parts, with its cue and speaker.
    ``reported`` is the reported speech found before, in text order: a
    quotation with no cue in the paragraph after "Carter said that ..." is
    Carter's."""
    quotes = []
    previous: FoundQuote | None = None
    previous_paragraph = -1
    # Cues that attributed a quote already, by first token: one cue is one
    # attribution, which the reviewer steps through once.
    used: set[int] = set()
    for group in groups:
        parts = [part for raw in group.raws for part in raw.parts]
        opening = article.token_at(group.raws[0].opening)
        closing = article.token_at(group.raws[-1].closing)
        window: set[int] = set()
        for raw in group.raws:
            first, _ = article.sentence_bounds(article.token_at(raw.opening))
            _, last = article.sentence_bounds(article.token_at(raw.closing))
            window.update(range(first, attribution_after(article, last, cues)))
        fitting = [c for c in cues if c.first in window and cue_fits(article, c, group)]
        nearby = [c for c in fitting if c.first not in used]
        edges = [
            article.token_at(position)
            for raw in group.raws
            for position in (raw.opening, raw.closing)
        ]
        # The attribution between the parts first, then the nearest cue; a
        # cue after the quote that "and" joins on ("said the cuts were “…”
        # and warned that") reports what follows it, so it comes last.
        nearby.sort(
            key=lambda c: (
                c not in group.gap_cues,
                c.first > closing and article.doc[c.first - 1].lower_ in COORDINATORS,
                min(min(abs(c.first - e), abs(c.last - e)) for e in edges),
                c.first,
            )
        )
        cue, speaker = None, None
        # "he said" attributes the quote even when no "he" can be found
        # (the only person named is a woman): no other cue is tried then.
        tried = nearby[:1] if nearby and pronoun_beside(article, nearby[0]) else nearby
        # A speaker next to a cue first; a participle's subject only if none,
        # unless the participle opens the quote (“A,” he said, adding, “B”).
        attempts = [(c, False) for c in tried] + [(c, True) for c in tried]
        if tried and _introduces(article, tried[0], opening):
            attempts.insert(0, (tried[0], True))
        for candidate, subject in attempts:
            speaker = _speaker_for(article, candidate, window, clauses, subject=subject)
            if speaker is not None:
                cue = candidate
                break
        # A cue here attributed the quote before: this one goes on that
        # sentence, and on that speaker when no cue names another ("He said
        # his players had ‘earned the right’ to dream, adding that …).
        carried = len(fitting) > len(nearby)
        if cue is None and nearby:
            cue = nearby[0]
            if carried and previous is not None and previous.speaker_name:
                speaker = Speaker(
                    previous.speaker,
                    previous.speaker_name,
                    previous.speaker_mention or previous.antecedent,
                    "pronoun",
                )
        kind = quote_type(article, parts[0], opening)
        if kind == PARTIAL and cue is not None and cue.first in clauses:
            kind = _type_by_parse(article, clauses[cue.first], opening, closing)
        paragraph = article.paragraph_number(article.starts[opening])
        if cue is None:
            # Unattributed: a whole sentence that carries on the quote before
            # it is kept with that speaker, as is any quote whose cue
            # attributed the one before (“What else would I do?” he asked.
            # “This is …”); a scare-quoted word is not a quote.
            words = len(article.text[parts[0][0] : parts[-1][1]].split())
            if not carried and (kind != DIRECT or words < 3):
                continue
            introduced = _before_colon(article, opening, clauses)
            if introduced is not None:
                previous = FoundQuote(
                    parts, kind, None, confidence=0.6, **_said_by(introduced)
                )
                quotes.append(previous)
                previous_paragraph = paragraph
                if introduced.mention is not None:
                    article.add_speaker(article.starts[opening], introduced.mention)
                continue
            told = _last_reported(reported, article.starts[opening], previous)
            if (
                told is not None
                and paragraph - article.paragraph_number(told.parts[0][0]) <= 1
            ):
                previous = FoundQuote(
                    parts, kind, None, confidence=0.5, **_carried_on(told)
                )
                quotes.append(previous)
                previous_paragraph = paragraph
                continue
            if (
                previous is not None
                and paragraph == previous_paragraph
                and previous.cue is not None
                and kind == previous.type == DIRECT
            ):
                # “A,” said Ruiz. “B.”: B goes on the quote Ruiz's cue began.
                # After a partial quote (Ruiz said it was “a mess.” “B.”), B
                # is a direct quote of Ruiz's own, below.
                previous.parts.extend(parts)
            elif previous is not None and paragraph - previous_paragraph <= 1:
                quotes.append(
                    FoundQuote(
                        parts, kind, None, confidence=0.5, **_carried_on(previous)
                    )
                )
            else:
                quotes.append(
                    FoundQuote(parts, DIRECT, None, confidence=0.3, **_said_by(None))
                )
            previous_paragraph = paragraph
            continue
        confidence = {DIRECT: 0.9, PARTIAL: 0.8}[kind]
        if speaker is None:
            confidence -= 0.4
        elif speaker.how in {"pronoun", "role"}:
            confidence -= 0.15
        elif speaker.how == "new":
            confidence -= 0.1
        quote = FoundQuote(
            parts,
            kind,
            (article.starts[cue.first], article.ends[cue.last]),
            confidence=round(confidence, 2),
            **_said_by(speaker),
        )
        quotes.append(quote)
        used.add(cue.first)
        previous, previous_paragraph = quote, paragraph
        if speaker is not None and speaker.mention is not None:
            article.add_speaker(quote.cue[0], speaker.mention)
    return quotes


def _before_colon(
    article: Article, opening: int, clauses: dict[int, Clause]
) -> Speaker | None:
    """Who a colon right before the quotation opening at token ``opening``
    gives the quote to: a name that is all of its sentence before the
    colon, as headlines and transcripts write it ("Cecile Richards: ‘I’m
    sick of …’"), or the subject of the clause the colon ends ("He then
    listed the qualities a nominee needs:" closing the paragraph before)."""
    doc = article.doc
    colon = opening - 1
    while colon > 0 and doc[colon].is_space:
        colon -= 1
    if colon < 1 or doc[colon].text != ":" or article.quoted[colon]:
        return None
    first, _ = article.sentence_bounds(colon)
    mention = article.mention_at_end.get(colon - 1)
    if mention is not None:
        if mention.kind in {PERSON, ORG} and article.token_at(mention.start) == first:
            return Speaker.of(mention)
        return None
    window = set(range(first, colon))
    # The clause nearest the colon: "... kicked a protester, with Trump
    # yelling:" is Trump's.
    for verb in sorted((v for v in clauses if first <= v < colon), reverse=True):
        clause = clauses[verb]
        if clause.subject is not None and not clause.inherited:
            return speaker_of_subject(article, clause, window)
    return None


def _said_by(speaker: Speaker | None) -> dict:
    """A quote's speaker fields for ``speaker``: the mention by the cue
    for a name, the antecedent for a pronoun or a role."""
    if speaker is None:
        return {"speaker_mention": None, "speaker": None, "speaker_name": ""}
    by_name = speaker.how in {"name", "new"}
    return {
        "speaker_mention": speaker.mention if by_name else None,
        "speaker": speaker.entry,
        "speaker_name": speaker.name,
        "speaker_words": speaker.words,
        "antecedent": None if by_name else speaker.mention,
    }


def _carried_on(quote: FoundQuote) -> dict:
    """The speaker fields of a quote that carries ``quote`` on."""
    return {
        "speaker_mention": None,
        "speaker": quote.speaker,
        "speaker_name": quote.speaker_name,
        "antecedent": quote.speaker_mention or quote.antecedent,
    }


def _last_reported(
    reported: list[FoundQuote], start: int, previous: FoundQuote | None
) -> FoundQuote | None:
    """The last reported speech with a speaker that ends before ``start``
    and after the quote ``previous``."""
    told = [
        quote
        for quote in reported
        if quote.speaker_name
        and quote.parts[-1][1] <= start
        and (previous is None or quote.parts[0][0] > previous.parts[-1][1])
    ]
    return max(told, key=lambda quote: quote.parts[-1][1], default=None)


def _introduces(article: Article, cue: Cue, opening: int) -> bool:
    """Whether ``cue`` is a participle that stands right before the
    quotation opening at token ``opening``, past punctuation alone."""
    return (
        cue.word.endswith("ing")
        and cue.last < opening
        and all(article.doc[i].is_punct for i in range(cue.last + 1, opening))
    )


def _type_by_parse(article: Article, clause: Clause, opening: int, closing: int) -> str:
    """Direct when the quotation is all the verb reports (He offered “my
    thoughts and prayers.”), partial when it is a fragment of it (said Iraq
    was receiving “massive information”)."""
    if clause.said is None:
        return PARTIAL
    first, last = clause.said
    whole = all(
        opening <= i <= closing or not article.doc[i].text[:1].isalnum()
        for i in range(first, last + 1)
    )
    return DIRECT if whole else PARTIAL


# A closing quotation mark as a token: two apostrophes are one (''…,'' said).
_CLOSING = CLOSE_DOUBLE | CLOSE_SINGLE | {'"', "'", "''"}


def _speaker_for(
    article: Article,
    cue: Cue,
    window: set[int],
    clauses: dict[int, Clause],
    *,
    subject: bool = True,
) -> Speaker | None:
    clause = clauses.get(cue.first)
    if (
        clause is not None
        and clause.subject is not None
        and (subject or not clause.inherited)
    ):
        # The parse knows the verb's subject, wherever it stands; a
        # participle's, like the rules', only when nothing nearer speaks.
        speaker = speaker_of_subject(article, clause, window)
        if speaker is not None:
            return speaker
    before = article.doc[cue.first - 1].text if cue.first else ""
    # "“…,” said X", and "Said X:" opening a sentence.
    inverted = before in _CLOSING or article.sentence_bounds(cue.first)[0] == cue.first
    if not inverted and before == "," and cue.first >= 2:
        inverted = article.doc[cue.first - 2].text in _CLOSING
    if cue.word in OBJECT_CUES:
        return _look_right(article, cue, window)
    if cue.word in SUBJECT_ONLY_CUES:
        speaker = _look_left(article, cue, window)
    elif inverted:
        speaker = _look_right(article, cue, window) or _look_left(article, cue, window)
    else:
        speaker = _look_left(article, cue, window)
    if speaker is None and subject and cue.word.endswith("ing"):
        # "Sunak, the prime minister, defended his record, telling the BBC
        # ...": a participle's speaker is its sentence's subject.
        speaker = _sentence_subject(article, cue, window)
    return speaker


def _sentence_subject(article: Article, cue: Cue, window: set[int]) -> Speaker | None:
    for i in sorted(t for t in window if t < cue.first):
        mention = article.mention_at_start.get(i)
        if mention and mention.kind in {PERSON, ORG} and not article.quoted[i]:
            last = article.token_at(mention.end - 1)
            if (
                last + 1 < len(article.doc)
                and article.doc[last + 1].text in POSSESSIVES
            ):
                continue  # "Mr Ashworth’s spokesman": the owner is not the subject
            return Speaker.of(mention)
    return None


def _look_left(article: Article, cue: Cue, window: set[int]) -> Speaker | None:
    doc = article.doc
    before = cue.first - 1
    if before >= 1 and doc[before].text == "," and doc[before - 1].text == ")":
        # "Gov. John Kasich (R-OH), said": the aside and its comma.
        before -= 1
    elif before >= 0 and doc[before].text == ",":
        return _before_apposition(article, before, window)
    before = _before_aside(article, before)
    i = before
    steps = 0
    while i >= 0 and i in window and steps < 8:
        if article.quoted[i]:
            return None
        mention = article.mention_at_end.get(i)
        if mention is not None:
            first = article.token_at(mention.start)
            if (
                i == before
                and first - 1 in window
                and doc[first - 1].text in PREPOSITIONS
            ):
                return _before_preposition(article, first, i, window)
            if mention.kind in {PERSON, ORG, OTHER} or i == before:
                return Speaker.of(mention)
            i = article.token_at(mention.start) - 1
            steps += 1
            continue
        text = doc[i].text
        lower = text.lower()
        if lower in PRONOUNS:
            return resolve_pronoun(article, lower, article.starts[i])
        if lower in ORGANISATION_WORDS and text.islower() and i == before:
            return organisation_by_word(article, i, window)
        if is_role(article, i):
            return resolve_role(article, i)
        if lower in COORDINATORS and i == before:
            # "called the bill “…” and said": the second verb's speaker is
            # the first's, the sentence's subject.
            return _sentence_subject(article, cue, window)
        if is_plural_role(lower) or (lower in POSSESSIVES and i < before):
            # "Treasury officials said", "Mr Ashworth’s spokesman said": no
            # one named speaks, and the owner is not the speaker.
            return None
        if i == before and text[:1].isupper():
            first, last = name_run_left(article, i, window)
            if first - 1 in window and doc[first - 1].text in PREPOSITIONS:
                return _before_preposition(article, first, last, window)
            return new_name(article, first, last)
        if text in {".", ";", "!", "?"}:
            return None
        i -= 1
        steps += 1
    return None


def _before_aside(article: Article, i: int) -> int:
    """The token before the parenthesis that token ``i`` closes, if it
    closes a short one: "Sen. Marco Rubio (R-Fla.) said" is Rubio's."""
    doc = article.doc
    if i < 1 or doc[i].text != ")":
        return i
    for j in range(i - 1, max(i - 8, 0), -1):
        if doc[j].text == "(":
            return j - 1
    return i


def _before_preposition(
    article: Article, first: int, last: int, window: set[int]
) -> Speaker | None:
    """The speaker before a cue whose last words, from ``first``, follow a
    preposition: the organisation they end ("The Department for Transport
    said", "the Bank of England said"), or the person they place
    ("Representative Lena Ortiz of New Mexico said"). A place or a body after
    any other preposition, or after a plain noun, is not who spoke
    ("Students at Kirklees College said", "officials in Kyiv said").
    """
    doc = article.doc
    preposition = doc[first - 1].text
    before = first - 2
    if (
        before not in window
        or article.quoted[before]
        or not is_name_token(doc[before].text)
    ):
        return None
    mention = article.mention_at_end.get(before)
    name_first = (
        article.token_at(mention.start)
        if mention
        else name_run_left(article, before, window)[0]
    )
    if preposition in {"of", "for"} and any(
        doc[j].lower_ in ORGANISATION_WORDS for j in range(name_first, first - 1)
    ):
        return new_organisation(article, name_first, last)
    if preposition not in {"of", "from"}:
        return None
    if mention is not None:
        if mention.kind in {PERSON, ORG}:
            return Speaker.of(mention)
        return None
    return new_name(article, name_first, before)


def _before_apposition(
    article: Article, comma: int, window: set[int]
) -> Speaker | None:
    """The speaker before a cue that follows ``comma``, which closes what
    describes the speaker or names them: “Polly Nnamdi, Shelter’s chief
    executive, said”, “NASA, which operates the satellites, said”, “the
    club’s chairman, Peter Lomas, said”.

    The sentence back from the comma is cut at its commas into stretches.
    Going back, the speaker is the first stretch that is a name and either
    starts the clause (the subject, followed by what describes it) or follows
    a description ending in a role noun (a description is not a speaker, even
    if it ends in a name: “Elchin Mammadli, an adviser to President Ilham
    Aliyev, told”). A name after a name, as in “Punta Arenas, Chile” or
    “Rafael Ortiz, R-Texas”, is skipped. A stretch opening with a pronoun is
    a clause the cue goes on, and the pronoun its speaker.
    """
    doc = article.doc
    stretches: list[tuple[int, int]] = []  # nearest first
    last = i = comma - 1
    starts_clause = False
    while True:
        if i < 0 or i not in window or article.quoted[i] or doc[i].text in CLAUSE_ENDS:
            starts_clause = True
        if starts_clause or comma - i > 40 or doc[i].text == ",":
            if i < last:
                stretches.append((i + 1, last))
            if starts_clause or doc[i].text != ",":
                break
            last = i - 1
        i -= 1
    # "Still, Tad Devine, a senior adviser, said": the clause starts after.
    if (
        starts_clause
        and len(stretches) > 1
        and stretches[-1][0] == stretches[-1][1]
        and doc[stretches[-1][0]].lower_ in LEADING_WORDS
    ):
        stretches.pop()
    for k, (first, last) in enumerate(stretches):
        if doc[first].lower_ in PRONOUNS:
            # "She defended the plan, adding": the cue goes on her clause.
            return resolve_pronoun(article, doc[first].lower_, article.starts[first])
        if not _names_only(article, first, last):
            if k + 1 == len(stretches) and starts_clause and is_role(article, last):
                return resolve_role(article, last)  # "The minister, who …, said"
            continue
        mention = article.mention_at_end.get(last)
        if k + 1 == len(stretches):
            if not starts_clause:
                return None
            if mention is not None:
                if mention.kind == PLACE:
                    return None
                return Speaker.of(mention)
            if is_role(article, last):
                return resolve_role(article, last)
            return new_name(article, *name_run_left(article, last, window))
        before_first, before_last = stretches[k + 1]
        if _names_only(article, before_first, before_last):
            continue
        if mention is not None and mention.kind in {PERSON, ORG}:
            return Speaker.of(mention)
        if mention is None and doc[before_last].lower_ in ROLE_NOUNS:
            return new_name(article, *name_run_left(article, last, window))
    return None


def _names_only(article: Article, first: int, last: int) -> bool:
    """Whether tokens ``first`` to ``last`` are all a name's: no lower-case
    word outside a mention but a particle ("de", "van") or a determiner
    ("the Defensoría del Pueblo")."""
    doc = article.doc
    return not any(
        doc[j].text[:1].islower()
        and not article.taken[j]
        and doc[j].lower_ not in NAME_PARTICLES
        and doc[j].lower_ not in DETERMINERS
        for j in range(first, last + 1)
    )


def _look_right(article: Article, cue: Cue, window: set[int]) -> Speaker | None:
    doc = article.doc
    i = cue.last + 1
    limit = min(len(doc), cue.last + 8)
    while i < limit and i in window:
        if article.quoted[i]:
            return None
        mention = article.mention_at_start.get(i)
        if mention is not None:
            after = article.token_at(mention.end - 1) + 1
            return _role_holder(article, after, window) or Speaker.of(mention)
        text = doc[i].text
        lower = text.lower()
        if lower in PRONOUNS and i == cue.last + 1:
            return resolve_pronoun(article, lower, article.starts[i])
        following = doc[i + 1].text if i + 1 < len(doc) else ""
        # "said its campaign director, Tomás Lindqvist": the name after the
        # role, when one follows it.
        if following == "," and (lower in ROLE_NOUNS or lower in TITLE_WORDS):
            named = _name_after_role(article, i + 2, window)
            if named is not None:
                return named
        if is_role(article, i) and not is_name_token(following):
            return resolve_role(article, i)
        if text[:1].isupper() and lower not in TITLE_WORDS:
            first, last = name_run_right(article, i, window)
            holder = _role_holder(article, last + 1, window)
            return holder or new_name(article, first, last)
        skippable = lower in DETERMINERS or lower in TITLE_WORDS or text[:1].isupper()
        if not skippable and (not text.isalpha() or i > cue.last + 3):
            return None
        i += 1
    return None


def _role_holder(article: Article, after: int, window: set[int]) -> Speaker | None:
    """Who holds the role named at ``after``, after whose it is: "said
    Clinton spokesman Brian Fallon", "said Democratic pollster Geoff Garin",
    "said Trump campaign manager Corey Lewandowski": the name after the
    role spoke."""
    doc = article.doc
    i = after
    while i in window and i - after < 3 and doc[i].is_alpha and doc[i].is_lower:
        i += 1
    if i == after or doc[i - 1].text not in ROLE_NOUNS:
        return None
    return _name_after_role(article, i, window)


def _name_after_role(article: Article, i: int, window: set[int]) -> Speaker | None:
    mention = article.mention_at_start.get(i)
    if mention is not None:
        if mention.kind == PLACE:
            return None
        return Speaker.of(mention)
    if i in window and is_name_token(article.doc[i].text):
        return new_name(article, *name_run_right(article, i, window))
    return None


def reported_speech(article: Article, cues: list[Cue]) -> list[FoundQuote]:
    """Reported speech without marks: "X said that ...", "she said it would ..."."""
    found = []
    doc = article.doc
    for cue in cues:
        if cue.word not in INDIRECT_CUES:
            continue
        # Cheap tests first: most cues have no clause after them.
        nxt = cue.last + 1
        subject_only = cue.word in SUBJECT_ONLY_CUES
        if subject_only:
            # "told reporters that": the clause follows the listener.
            while nxt < len(doc) and nxt - cue.last <= 4 and doc[nxt].lower_ != "that":
                nxt += 1
        if nxt >= len(doc):
            continue
        word = doc[nxt].lower_
        if word == "that":
            start_token = nxt + 1
        elif word in CLAUSE_STARTERS and not subject_only:
            start_token = nxt
        else:
            continue
        sentence_first, sentence_last = article.sentence_bounds(cue.first)
        if nxt >= sentence_last:
            continue
        end_token = sentence_last - 1
        while end_token > start_token and not doc[end_token].text[:1].isalnum():
            end_token -= 1
        # Up to the clause's last word: the opening mark of a quote in the
        # next sentence is counted in this one (see ``_sentence_starts``).
        if end_token - start_token < 2 or any(
            article.quoted[sentence_first : end_token + 1]
        ):
            continue
        window = set(range(sentence_first, sentence_last))
        speaker = _look_left(article, cue, window)
        if speaker is None:
            continue
        if speaker.mention is not None:
            article.add_speaker(article.starts[cue.first], speaker.mention)
        found.append(
            FoundQuote(
                [(article.starts[start_token], article.ends[end_token])],
                INDIRECT,
                (article.starts[cue.first], article.ends[cue.last]),
                confidence=0.6 if speaker.how == "name" else 0.45,
                **_said_by(speaker),
            )
        )
    return found


# From the parse ----------------------------------------------------------------


def speaker_of_subject(
    article: Article, clause: Clause, window: set[int]
) -> Speaker | None:
    """Who the subject of a verb of speech names: a person or organisation
    named there (or after a role in apposition: "the club's chairman, Peter
    Lomas"), whom a pronoun or a role stands for, a new name to propose, or
    a described source ("a senior official", "officials"), who is a
    speaker with no entity. A place in the entity table is never a speaker;
    one the model named is an organisation when it speaks. None when the
    subject is none of these (quoted words, an expletive "it").
    """
    head = clause.subject
    if head is None or article.quoted[head]:
        return None
    doc = article.doc
    lower = doc[head].lower_
    mention = article.mention_over(head) or _named_in_apposition(article, head)
    if mention is not None:
        if mention.kind == PLACE and mention.entity is None:
            # "The White House said", "Intel said": a place the model named
            # that speaks is the body there, or an organisation it mistyped.
            mention.kind = ORG
        return Speaker.of(mention) if mention.kind != PLACE else None
    if lower in PRONOUNS:
        return resolve_pronoun(article, lower, article.starts[head])
    if clause.relative_to is not None:
        return _relative_antecedent(article, clause.relative_to, head, window)
    first, last = clause.subject_span
    if doc[first].lower_ in SUBJECT_NEVER_OPENS:
        # The parser's mistake: "As for the pundits who ..., Bolton said".
        return None
    if (lower in ROLE_NOUNS or lower in TITLE_WORDS) and head < last:
        # "Trump campaign manager Corey Lewandowski said", a name the model
        # did not tag: the name after the role is who spoke.
        named = _name_after_role(article, head + 1, window)
        if named is not None:
            return named
    if is_role(article, head):
        # "the minister" is someone named with that title before; "a senior
        # official" and "the police chief" of no one named are not.
        if doc[first].lower_ not in {"a", "an"}:
            speaker = resolve_role(article, head, titled_only=True)
            if speaker is not None:
                return speaker
        return _described(article, first, head)
    if lower in ORGANISATION_WORDS and doc[head].text.islower():
        return organisation_by_word(article, head, window) or _described(
            article, first, head
        )
    if clause.subject_tag in _NOT_SOURCES or not doc[head].text.isalpha():
        return None
    if is_name_token(doc[head].text) and not is_plural_role(lower):
        name_first, name_last = name_run_left(article, head, window)
        _, name_last = name_run_right(article, head, window)
        speaker = new_name(article, max(name_first, first), min(name_last, last))
        if speaker is not None or lower in TIME_WORDS:
            return speaker
    # "Police said", "Most of the candidates said": no name, but a source.
    return _described(article, first, head, last)


# Subjects that name no source: "who" and "which", "it" in "it was said",
# "this" (UPOS and Penn tags alike).
_NOT_SOURCES = frozenset({"PRON", "DET", "PRP", "WP", "WDT", "DT", "EX"})
# Where the group of "most of the candidates" ends: a clause or an aside.
_GROUP_ENDS = frozenset({",", "(", "who", "which", "that", "—", "--"})


def _relative_antecedent(
    article: Article, noun: int, pronoun: int, window: set[int]
) -> Speaker | None:
    """Who "who" in "Thomas Perez, who said" is: the person or organisation
    named at ``noun``, the token the relative clause hangs on; the words
    taken are the pronoun's, as for "he"."""
    words = (article.starts[pronoun], article.ends[pronoun])
    mention = article.mention_over(noun) or _named_in_apposition(article, noun)
    if mention is not None:
        if mention.kind == PLACE:
            return None
        return Speaker.of(mention, "pronoun", words)
    if is_name_token(article.doc[noun].text):
        # The parse heads a name at its first word: "Thomas" of "Thomas Perez".
        first, _ = name_run_left(article, noun, window)
        _, last = name_run_right(article, noun, window)
        named = new_name(article, first, last)
        if named is not None and named.mention is not None:
            return Speaker.of(named.mention, "pronoun", words)
    elif article.doc[pronoun].lower_ == "who":
        # "dozens of women who claim …": no one named, but a source the text
        # describes; "who" are its words, as "he" is a pronoun's.
        first = _plain_phrase_start(article, noun)
        if first is not None:
            return replace(_described(article, first, noun), words=words)
    return None


def _plain_phrase_start(article: Article, noun: int) -> int | None:
    """The first token of the plain noun phrase ``noun`` heads ("dozens of
    women", "undeclared voters"), if the noun is plural and the phrase is
    words alone; None otherwise: one person ("a candidate who") is better
    found by the rules, a noun in apposition to a name ("Scott Reed, the
    Chamber's strategist, who") is the name's, and a parse may hang "who"
    on a thing ("a memo who").
    """
    head = article.parsed_token(noun)
    if head.dep_ == "appos" or head.tag_ != "NNS":
        return None
    # "dozens of women": the quantity too
    of = head.head if head.left_edge.lower_ == "of" and head.head is not head else head
    phrase = list(article.parsed[of.left_edge.i : head.i + 1])
    # Not the phrase's: a preposition, a conjunction or an adverb before it
    # ("among voters", "and bankers", "so even economists").
    while len(phrase) > 1 and phrase[0].tag_ in {"IN", "TO", "CC", "RB"}:
        phrase.pop(0)
    if any(t.tag_ not in _PHRASE_TAGS for t in phrase):
        return None
    return article.aligned(phrase[0].i)


# What a plain noun phrase is made of (Penn tags): determiners, numbers,
# adjectives, nouns, possessives and "of", no verb, name or punctuation.
_PHRASE_TAGS = frozenset(
    {"DT", "PDT", "CD", "JJ", "JJR", "JJS", "NN", "NNS", "PRP$", "POS", "IN"}
)


def _described(
    article: Article, first: int, head: int, last: int | None = None
) -> Speaker:
    """A source the text describes and does not name ("a senior official",
    "officials in Kyiv"): the words up to the noun, or to the end of the
    group a quantity is of ("most of the candidates", with ``last`` the
    subject's last token), and no entity."""
    doc = article.doc
    end_token = head
    if last is not None and head + 1 < last and doc[head + 1].lower_ == "of":
        end_token = head + 1
        while end_token < last and doc[end_token + 1].text not in _GROUP_ENDS:
            end_token += 1
    start, end = article.starts[first], article.ends[end_token]
    return Speaker(None, article.text[start:end], None, "described", (start, end))


def _named_in_apposition(article: Article, head: int) -> FoundMention | None:
    """The mention right after "chairman," in "the club's chairman, Peter
    Lomas, said", or right after a title the parse made the subject's head
    ("FBI Director James Comey said")."""
    doc = article.doc
    if head + 2 < len(doc) and doc[head + 1].text == ",":
        return article.mention_at_start.get(head + 2)
    if doc[head].lower_ in ROLE_NOUNS or doc[head].lower_ in TITLE_WORDS:
        mention = article.mention_at_start.get(head + 1)
        if mention is not None and mention.kind == PERSON:
            return mention
    return None


def parsed_reported_speech(
    article: Article, clauses: dict[int, Clause]
) -> list[FoundQuote]:
    """Reported speech from the parse: the clausal complement of a verb of
    speech ("Delgado said the victim was in stable condition"), where no
    quotation mark stands in it; with quoted words in it, the quoted words
    are a partial quote that this verb attributes (see ``attribute_quotes``).
    """
    found = []
    doc = article.doc
    for verb, clause in sorted(clauses.items()):
        if clause.complement is None or not clause.of_speech or article.quoted[verb]:
            continue
        first, last = clause.complement
        while last > first and not doc[last].text[:1].isalnum():
            last -= 1
        if doc[first].text == "," and doc[first + 1].lower_ in RELATIVE_PRONOUNS:
            # "Said Dorothy Poynter, who grew up with Ali, “…”": the parser
            # took a name's relative clause for what was said.
            continue
        if last - first < 2 or any(article.quoted[first : last + 1]):
            continue
        sentence_first, sentence_last = article.sentence_bounds(verb)
        window = set(range(sentence_first, sentence_last))
        speaker = speaker_of_subject(article, clause, window)
        if speaker is None and clause.subject is None:
            # The parser found no subject ("Jolly said" with "Jolly" an
            # adverb): the words by the verb, as for a quotation's cue.
            cue = Cue(verb, clause.cue[1], doc[verb].lower_)
            speaker = _speaker_for(article, cue, window, clauses)
        if speaker is not None and speaker.mention is not None:
            article.add_speaker(article.starts[verb], speaker.mention)
        found.append(
            FoundQuote(
                [(article.starts[first], article.ends[last])],
                INDIRECT,
                (article.starts[verb], article.ends[clause.cue[1]]),
                confidence=0.6 if speaker and speaker.how == "name" else 0.45,
                **_said_by(speaker),
            )
        )
    return found
