"""Gazetteers of the parties to a conflict: aliases resolved to canonical actors.

A gazetteer is a TOML file with one table per canonical actor; each list of
strings in the table is a group of aliases (``names``, ``government``,
``forces``, ``leaders``, ``places``, ``demonyms``, ``agencies`` or any other
name), and two optional strings: ``conflict`` (which war) and ``swap`` (the
actor it trades places with in :mod:`claimscope.swap`)::

    ["Hamas"]
    conflict = "israel-gaza"
    swap = "Israel"
    names = ["Hamas"]
    leaders = ["Yahya Sinwar", "Sinwar"]

The shipped files live in ``claimscope/gazetteers/``. A user file is merged
over them: a new actor is added, the alias groups of a known actor are
extended (``replace = true`` in its table replaces the actor instead).

Case: an alias of up to five capitals (``IDF``, ``US``, ``PIJ``) must match
exactly, and not inside an all-capitals line (a headline); any other alias
matches case-insensitively but, if the alias starts with a capital, the text
must too ("Gallant" the minister, not "a gallant effort"). An alias never
matches after a hyphen ("pro-Russian", "anti-Hamas") nor inside a word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomllib

from ._patterns import trie_pattern
from .errors import Errors, InvalidParameterError

__all__ = ["Actor", "Gazetteer", "Mention", "default_gazetteer", "load_gazetteer",
           "SHIPPED"]

#: The shipped gazetteers (file names in claimscope/gazetteers/), all loaded by default.
SHIPPED = ("israel_gaza.toml", "russia_ukraine.toml", "international.toml")
_SCALARS = ("conflict", "swap")
_APOS = "'’"


@dataclass
class Actor:
    """A canonical actor and its aliases, by group."""

    name: str
    groups: dict[str, list[str]] = field(default_factory=dict)
    conflict: str | None = None
    swap: str | None = None
    #: in a user file: replace the shipped actor of that name instead of extending it
    replace: bool = False

    def aliases(self) -> Iterable[tuple[str, str]]:
        """(alias, group) pairs."""
        for group, names in self.groups.items():
            for alias in names:
                yield alias, group


@dataclass(frozen=True)
class Mention:
    """An alias found in a text: ``[start, end)``, the actor and the alias group."""

    start: int
    end: int
    actor: str
    via: str
    alias: str


def _norm(alias: str) -> str:
    return " ".join(alias.replace("’", "'").split()).lower()


def _is_acronym(alias: str) -> bool:
    letters = alias.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 5


class Gazetteer:
    """Actors by canonical name, with one compiled matcher over all their aliases."""

    def __init__(self, actors: dict[str, Actor] | None = None) -> None:
        self.actors: dict[str, Actor] = dict(actors or {})
        self._regex: re.Pattern[str] | None = None
        self._lookup: dict[str, tuple[str, str, str]] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.actors

    def __len__(self) -> int:
        return len(self.actors)

    # building ------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> Gazetteer:
        """Validate a parsed TOML document and build a Gazetteer from it."""
        actors: dict[str, Actor] = {}
        for name, table in data.items():
            if not isinstance(table, dict):
                raise InvalidParameterError(Errors.E201.format(
                    source=source, where=f"[{name}]", got=f"a {type(table).__name__}"))
            actor = Actor(name=str(name))
            for key, value in table.items():
                where = f"[{name}].{key}"
                if key in _SCALARS:
                    if not isinstance(value, str) or not value.strip():
                        raise InvalidParameterError(Errors.E202.format(
                            source=source, where=where, expected="a non-empty string",
                            got=repr(value)[:80]))
                    setattr(actor, key, value.strip())
                elif key == "replace":
                    if not isinstance(value, bool):
                        raise InvalidParameterError(Errors.E202.format(
                            source=source, where=where, expected="true or false",
                            got=repr(value)[:80]))
                elif isinstance(value, list) and all(
                        isinstance(v, str) and v.strip() for v in value):
                    actor.groups[key] = [" ".join(v.split()) for v in value]
                else:
                    raise InvalidParameterError(Errors.E202.format(
                        source=source, where=where,
                        expected="a list of non-empty strings (aliases)",
                        got=repr(value)[:80]))
            if not any(actor.groups.values()):
                raise InvalidParameterError(Errors.E202.format(
                    source=source, where=f"[{name}]", expected="at least one alias list",
                    got="none"))
            actor.replace = bool(table.get("replace", False))
            actors[actor.name] = actor
        return cls(actors)

    @classmethod
    def from_file(cls, path: str | Path) -> Gazetteer:
        """Read a gazetteer TOML file; a bad file raises E200-E202 naming it."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InvalidParameterError(Errors.E200.format(
                source=path, detail=exc.strerror or exc)) from exc
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            raise InvalidParameterError(Errors.E200.format(source=path, detail=exc)) from exc
        return cls.from_dict(data, str(path))

    def merged(self, other: Gazetteer) -> Gazetteer:
        """A new gazetteer: ``other`` over this one (new actors added, aliases extended)."""
        actors = {k: Actor(v.name, {g: list(a) for g, a in v.groups.items()}, v.conflict,
                           v.swap) for k, v in self.actors.items()}
        for name, new in other.actors.items():
            old = actors.get(name)
            if old is None or new.replace:
                actors[name] = Actor(new.name, {g: list(a) for g, a in new.groups.items()},
                                     new.conflict, new.swap)
                continue
            for group, aliases in new.groups.items():
                have = old.groups.setdefault(group, [])
                have.extend(a for a in aliases if a not in have)
            old.conflict = new.conflict or old.conflict
            old.swap = new.swap or old.swap
        return Gazetteer(actors)

    # matching ------------------------------------------------------------
    def _compile(self) -> re.Pattern[str]:
        if self._regex is None:
            lookup: dict[str, tuple[str, str, str]] = {}
            for actor in self.actors.values():
                for alias, group in actor.aliases():
                    lookup[_norm(alias)] = (actor.name, group, alias)
            body = trie_pattern(lookup, char=lambda c: f"[{_APOS}]" if c == "'" else re.escape(c))
            self._lookup = lookup
            self._regex = re.compile(rf"(?<![\w\-‐‑])(?:{body})(?![\w])", re.IGNORECASE)
        return self._regex

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Actor mentions in ``text[start:end]``, longest alias first, no overlaps."""
        regex = self._compile()
        end = len(text) if end is None else end
        out = []
        for m in regex.finditer(text, start, end):
            found = self._lookup.get(_norm(m.group()))
            if found is None:
                continue
            actor, group, alias = found
            got = m.group()
            if _is_acronym(alias):
                if got != alias or _in_caps_line(text, m.start(), m.end()):
                    continue
            elif alias[0].isupper() and not got[0].isupper():
                continue
            out.append(Mention(m.start(), m.end(), actor, group, alias))
        return out

    def swap_partner(self, name: str) -> str | None:
        actor = self.actors.get(name)
        return actor.swap if actor else None


def _in_caps_line(text: str, start: int, end: int) -> bool:
    """True when the line around [start, end) has no lower-case letter (a headline)."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    line = text[lo:hi if hi >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > len(text[start:end]) + 3 and not any(c.islower() for c in letters)


def _shipped(name: str) -> Gazetteer:
    raw = resources.files("claimscope").joinpath(f"gazetteers/{name}").read_text(
        encoding="utf-8")
    return Gazetteer.from_dict(tomllib.loads(raw), f"claimscope/gazetteers/{name}")


@functools.lru_cache(maxsize=8)
def load_gazetteer(extra: tuple[str, ...] = (), shipped: tuple[str, ...] = SHIPPED
                   ) -> Gazetteer:
    """The shipped gazetteers merged, with the user files ``extra`` merged over them."""
    gaz = Gazetteer()
    for name in shipped:
        gaz = gaz.merged(_shipped(name))
    for path in extra:
        gaz = gaz.merged(Gazetteer.from_file(path))
    return gaz


def default_gazetteer() -> Gazetteer:
    return load_gazetteer()


def as_paths(value: str | Path | Sequence[str | Path] | None) -> tuple[str, ...]:
    """Normalise a path or list of paths to a tuple of strings (cache key)."""
    if value is None:
        return ()
    if isinstance(value, (str, Path)):
        return (str(value),)
    return tuple(str(v) for v in value)
