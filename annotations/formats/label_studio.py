"""Reviews as Label Studio tasks, and Label Studio's JSON export read back.

A task a review: ``data`` holds the ``text`` and the article's ``article_id``,
``title`` and ``url`` and the ``reviewer``; its one annotation's ``result``
holds a ``labels`` region a mention, quote part and cue (the labels of
``annotations.formats``), ``relation`` items for a quote's parts, cue and
speaker, and for a source the text describes ("officials") a per-region
``textarea`` named ``speaker`` on the quote's first part. The labelling
configuration that shows it is ``CONFIG``.

Label Studio counts a Text region's offsets in code points since 1.6 (its
tests: "Should calculate offsets by code points in text"; older versions
counted UTF-16 units, issue #1347), as we do: offsets go out and come in as
they are, and each region's ``text`` is checked against the article.
"""

from __future__ import annotations

from annotations.formats import (
    CUE,
    CUE_OF,
    LABELS,
    PART,
    QUOTE_LABELS,
    RELATIONS,
    SPEAKER,
    Region,
    Regions,
    mentions,
    quotes,
)
from annotations.gold import GoldError

FROM_NAME, TO_NAME, DESCRIBED = "label", "text", "speaker"

CONFIG = f"""\
<View>
  <Labels name="{FROM_NAME}" toName="{TO_NAME}">
{"".join(f'    <Label value="{label}"/>{chr(10)}' for label in LABELS)}\
  </Labels>
  <Relations>
{"".join(f'    <Relation value="{label}"/>{chr(10)}' for label in RELATIONS)}\
  </Relations>
  <Text name="{TO_NAME}" value="$text"/>
  <TextArea name="{DESCRIBED}" toName="{TO_NAME}" perRegion="true"
            placeholder="A source the text describes: officials"/>
</View>
"""


def task(record: dict) -> dict:
    result: list[dict] = []

    def region(key: str, start: int, end: int, words: str, label: str) -> str:
        result.append(
            {
                "id": key,
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "value": {"start": start, "end": end, "text": words, "labels": [label]},
            }
        )
        return key

    def relation(source: str, target: str, label: str) -> None:
        result.append(
            {
                "from_id": source,
                "to_id": target,
                "type": "relation",
                "direction": "right",
                "labels": [label],
            }
        )

    keys = {
        (m.start, m.end, m.entity): region(f"m{n}", m.start, m.end, m.text, m.kind)
        for n, m in enumerate(mentions(record), 1)
    }
    for n, quote in enumerate(quotes(record), 1):
        label = QUOTE_LABELS[quote.type]
        first, *others = [
            region(f"q{n}-{i}", p.start, p.end, p.text, label)
            for i, p in enumerate(quote.parts, 1)
        ]
        for other in others:
            relation(first, other, PART)
        if cue := quote.cue:
            relation(region(f"c{n}", cue.start, cue.end, cue.text, CUE), first, CUE_OF)
        if named := quote.speaker_mention:
            relation(keys[named.start, named.end, named.entity], first, SPEAKER)
        elif quote.speaker_description:
            part = quote.parts[0]
            result.append(
                {
                    "id": first,
                    "from_name": DESCRIBED,
                    "to_name": TO_NAME,
                    "type": "textarea",
                    "value": {
                        "start": part.start,
                        "end": part.end,
                        "text": [quote.speaker_description],
                    },
                }
            )
    return {
        "data": {
            "text": record["text"],
            "article_id": record["id"],
            "title": record["title"],
            "url": record["url"],
            "reviewer": record["reviewer"],
        },
        "annotations": [{"result": result}],
    }


def record_from_task(task: dict) -> dict:
    """The gold record of one task of Label Studio's JSON export.

    Its one annotation is read (cancelled ones aside); of several, the one
    marked ground truth, else none: which annotator's is the review is not
    ours to guess.
    """
    if not isinstance(task, dict):
        raise GoldError("A task must be a JSON object.")
    data = task["data"]
    text = data["text"]
    if not isinstance(text, str):
        raise GoldError("The task's data has no text.")
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if len(done) > 1:
        done = [a for a in done if a.get("ground_truth")]
    if len(done) != 1:
        raise GoldError(
            "The task has no annotation, or several and none (or more than one) "
            "marked ground truth: import one annotator's work at a time."
        )
    regions = Regions(text=text)
    for item in done[0]["result"]:
        kind = item["type"]
        if kind == "relation":
            labels = item.get("labels") or []
            if len(labels) != 1:
                raise GoldError(f"A relation has labels {labels}: it needs one.")
            regions.relations.append((item["from_id"], item["to_id"], labels[0]))
        elif kind == "labels":
            value = item["value"]
            if len(value["labels"]) != 1:
                raise GoldError(
                    f"The region {value.get('text')!r} has labels {value['labels']}: "
                    "it needs one."
                )
            regions.regions.append(
                Region(
                    key=item["id"],
                    start=value["start"],
                    end=value["end"],
                    label=value["labels"][0],
                    # Checked against the article by the loader.
                    text=value.get("text") or text[value["start"] : value["end"]],
                )
            )
        elif kind == "textarea" and item.get("from_name") == DESCRIBED:
            regions.descriptions[item["id"]] = " ".join(item["value"]["text"]).strip()
        else:
            raise GoldError(f"A result of type {kind!r} is not one this import reads.")
    return regions.record(id=data.get("article_id"), url=data.get("url"))
