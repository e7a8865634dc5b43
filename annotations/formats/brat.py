"""Reviews as brat standoff: a ``.txt`` and an ``.ann`` a review, into a folder.

The folder also gets ``annotation.conf``, so that brat shows it as it is:
copy the folder into brat's ``data`` folder. Files are named
``<article id>-<reviewer>``. brat counts offsets in characters of the
``.txt`` (Python's code points), as we do: they are written as they are.

- a mention: ``T1<TAB>PERSON 0 5<TAB>Abadi`` (its entity's kind);
- a quote: its parts ``Quotation`` text-bound annotations, and a ``Quote``
  event whose trigger is the cue, with a ``Speaker`` argument (the mention
  the quote is attributed to, else the speaker's mention nearest it) and
  one ``Content`` argument a part (``Content``, ``Content2``, ...), as brat
  numbers repeated roles. brat has no event without a trigger: a quote
  with no cue has its first part as its trigger;
- the quote's type: the attribute ``QuoteType`` (direct, partial, indirect);
- a speaker no mention names (a source the text describes, "officials", or
  an entity the article never names): an ``AnnotatorNotes`` note on the
  event, ``Speaker: officials``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from annotations.formats import mentions, quotes
from annotations.models import Quote
from newsreader.models import EntityKind

ANNOTATION_CONF = f"""\
# Newsreader's export: mentions by entity kind, quotes as events.
[entities]
{chr(10).join(EntityKind.values)}
Quotation

[relations]
# Mentions may sit inside quotes and inside each other.
<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

[events]
Quote\tSpeaker?:{"|".join(EntityKind.values)}, Content+:Quotation

[attributes]
QuoteType\tArg:Quote, Value:{"|".join(Quote.Type.values)}
"""


def export_brat(records: Iterable[dict]) -> Iterator[tuple[str, str]]:
    """(file name, content) for each file of the folder."""
    yield "annotation.conf", ANNOTATION_CONF
    for record in records:
        name = f"{record['id']}-{record['reviewer']}"
        yield f"{name}.txt", record["text"]
        yield f"{name}.ann", standoff(record)


def standoff(record: dict) -> str:
    lines: list[str] = []
    numbers = itertools.count(1)

    def text_bound(label: str, start: int, end: int, words: str) -> str:
        key = f"T{next(numbers)}"
        lines.append(f"{key}\t{label} {start} {end}\t{words}")
        return key

    keys = {
        (m.start, m.end, m.entity): text_bound(m.kind, m.start, m.end, m.text)
        for m in mentions(record)
    }
    notes = 0
    for number, quote in enumerate(quotes(record), 1):
        contents = [
            text_bound("Quotation", p.start, p.end, p.text) for p in quote.parts
        ]
        where = quote.cue or quote.parts[0]
        arguments = [f"Quote:{text_bound('Quote', where.start, where.end, where.text)}"]
        if named := quote.speaker_mention:
            arguments.append(f"Speaker:{keys[named.start, named.end, named.entity]}")
        arguments += [
            f"Content{index if index > 1 else ''}:{key}"
            for index, key in enumerate(contents, 1)
        ]
        lines.append(f"E{number}\t{' '.join(arguments)}")
        lines.append(f"A{number}\tQuoteType E{number} {quote.type}")
        speaker = quote.speaker or quote.speaker_description
        if speaker and not quote.speaker_mention:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes E{number}\tSpeaker: {speaker}")
    return "".join(line + "\n" for line in lines)
