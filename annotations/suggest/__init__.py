"""Machine suggestions: entity mentions, quotes and their speakers.

A package of stages, each a module, run in this order by ``detect.detect``:

- ``tokens``: spaCy's blank English tokenizer (no model download),
  sentence starts as spaCy's sentencizer finds them, paragraphs, and the
  ``Article`` that carries one text through the stages;
- ``gazetteer``: every entity name and alias in one PhraseMatcher;
- ``mentions``: the gazetteer's names in the text, surnames of people named
  in full, and a statistical model's named entities;
- ``quotes``: stretches between quotation marks, and their type;
- ``cues``: reporting words ("said", "according to"), and quotes split by
  their attribution joined into one;
- ``people``: names, roles, pronouns and organisation nouns, resolved to
  the person or organisation they stand for;
- ``speakers``: the speaker of each quote, and reported speech.

``detect`` returns code point offsets into the text and imports nothing
from Django, so ``evaluate`` runs it on gold files whose articles are not
stored. ``store`` is the one place that reads the entity table and writes
suggestions as spans with status ``suggested``; ``results`` holds what the
stages hand each other, ``lexicon`` the word lists they share.

Matching ignores case and accents ("SINIRLIOGLU" finds Feridun
Sinirlioğlu), except that an all-lowercase word never matches a capitalised
name ("turkey" the bird, "us" the pronoun) and an acronym only matches in
capitals.
"""
