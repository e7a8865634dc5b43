"""The entity table's names and aliases, compiled for matching in a text."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from spacy.attrs import NORM
from spacy.matcher import PhraseMatcher

from annotations.suggest.lexicon import WORD
from annotations.suggest.tokens import pattern_tokenizer, pipeline
from newsreader.text import normalize_name


@dataclass(frozen=True)
class GazetteerEntry:
    """One entity as the suggester knows it: ``key`` is its primary key (or,
    for a gold file's own entities, any hashable)."""

    key: Hashable
    name: str
    kind: str


class Gazetteer:
    """Every entity name and alias, compiled into one PhraseMatcher.

    Building it over 100,000 names takes a few seconds: build it once and
    reuse it for every article (``gazetteer_from_db`` caches it).
    """

    def __init__(self, names: Iterable[tuple[str, GazetteerEntry]]) -> None:
        nlp = pipeline()
        self._by_key: dict[str, list[GazetteerEntry]] = {}
        self._forms: dict[str, set[str]] = {}
        patterns: dict[str, str] = {}
        for name, entry in names:
            name = " ".join(name.split())
            if not WORD.search(name):
                continue
            patterns.setdefault(normalize_name(name), name)
            self._add(name, entry)
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        docs = list(pattern_tokenizer().pipe(patterns.values(), batch_size=2000))
        # A match is read back by its tokens' norms (hashes), not its text.
        self._token_keys: dict[tuple[int, ...], str] = {
            tuple(doc.to_array(NORM).tolist()): normalize_name(doc.text) for doc in docs
        }
        if docs:
            self.matcher.add("ENTITY", docs)

    def _add(self, name: str, entry: GazetteerEntry) -> None:
        key = normalize_name(name)
        entries = self._by_key.setdefault(key, [])
        if entry not in entries:
            # The entity whose own name this is comes first.
            if normalize_name(entry.name) == key:
                entries.insert(0, entry)
            else:
                entries.append(entry)
        self._forms.setdefault(key, set()).add(name)

    def __len__(self) -> int:
        return len(self._by_key)

    def lookup(self, name: str) -> GazetteerEntry | None:
        entries = self._by_key.get(normalize_name(name))
        return entries[0] if entries else None

    def candidates(
        self, norms: tuple[int, ...]
    ) -> tuple[list[GazetteerEntry], set[str]]:
        key = self._token_keys.get(norms, "")
        return self._by_key.get(key, []), self._forms.get(key, set())

    @classmethod
    def from_entities(
        cls, entities: Iterable[tuple[GazetteerEntry, Iterable[str]]]
    ) -> Gazetteer:
        """From entries with their aliases: ``[(entry, ["Abadi"]), ...]``."""
        return cls(
            (name, entry)
            for entry, aliases in entities
            for name in [entry.name, *aliases]
        )


def case_ok(surface: str, forms: set[str]) -> bool:
    """Whether a case-blind match keeps its case sense.

    >>> case_ok("turkey", {"Turkey"}), case_ok("TURKEY", {"Turkey"})
    (False, True)
    >>> case_ok("Us", {"US"}), case_ok("presstv", {"presstv"})
    (False, True)
    """
    if surface in forms:
        return True
    if surface.islower() and not any(form.islower() for form in forms):
        return False
    acronyms = [f for f in forms if f.isupper() and len(f.replace(".", "")) <= 5]
    return not (acronyms and len(acronyms) == len(forms) and not surface.isupper())
