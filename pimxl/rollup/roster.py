"""People's names as written in the workbooks, and the optional roster that maps aliases to one person.

A name is taken as written, only *cleaned*: trimmed, full-width folded to half-width
(:func:`pimxl.normalize.fold_width`), and spaces between two CJK characters dropped — ``"王　磊"`` is how
many people align a two-character name in a form, and it is still 王磊.

``pimxl.toml`` may carry a roster (``Settings.roster``), canonical name → aliases::

    [roster]
    "王磊" = ["王磊(PM)", "Wang Lei"]
    "孙浩" = []

With a roster, every alias (compared cleaned and case-insensitively) resolves to its canonical name, and a
name that is neither a canonical name nor an alias is *unknown*: it keeps its cleaned spelling and the
views flag it (see views_pm.py). Without a roster every name is known and resolves to itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..normalize import fold_width

__all__ = ["NO_NAME", "Roster", "clean_name"]

#: Whom a view is for when the workbook leaves the name empty.
NO_NAME = "未填写"

_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_CJK_GAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def clean_name(name: object) -> str:
    """``' 王　磊 '`` → ``'王磊'``; ``'Ｗａｎｇ  Lei'`` → ``'Wang Lei'``; None → ``''``."""
    text = fold_width(str(name)).strip() if name is not None else ""
    return _CJK_GAP.sub("", text)


@dataclass
class Roster:
    """Resolves names; ``unknown`` collects the cleaned names the roster does not know."""

    people: dict[str, str] = field(default_factory=dict)  # cleaned, casefolded alias → canonical name
    unknown: set[str] = field(default_factory=set)

    @classmethod
    def from_settings(cls, roster: Mapping[str, Iterable[str]] | None) -> Roster:
        people: dict[str, str] = {}
        for canonical, aliases in (roster or {}).items():
            name = clean_name(canonical)
            for alias in (canonical, *(aliases or ())):
                people.setdefault(clean_name(alias).casefold(), name)
        return cls(people)

    @property
    def active(self) -> bool:
        return bool(self.people)

    def known(self, name: object) -> bool:
        """True without a roster; with one, whether the cleaned name is a canonical name or an alias."""
        return not self.people or clean_name(name).casefold() in self.people

    def resolve(self, name: object) -> str:
        """The person a written name stands for (cleaned; canonical when the roster knows it)."""
        text = clean_name(name)
        if not text:
            return NO_NAME
        if not self.people:
            return text
        found = self.people.get(text.casefold())
        if found is None:
            self.unknown.add(text)
            return text
        return found
