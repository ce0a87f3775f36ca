"""The rollup model's dataclasses pickled as class and field values, for the history's ``run_projects`` rows.

The default pickle of a dataclass instance stores its attribute dict, keys included, and loads it through
``__setstate__``. A re-run of an as-of date loads every project it takes over (~800 of 1,000 after a few edits),
and that was 0.16 s of its 1.5. Pickled as ``cls(*values)`` a project loads in 0.09 s, and its blob is a third
smaller (the history grows by ~1 MB a week less at 1,000 projects).

Values in field order depend on each class's fields. A blob therefore starts with the id of the layout it was
made with (a digest of every model class's field names), and every layout a history was opened with is kept in
it (:meth:`History <pimxl.rollup.history.History>` stores :data:`LAYOUT` under :data:`LAYOUT_ID`). A blob of
another layout — a past week stored by an older pimxl — is loaded by field name: a field since removed is
dropped and one since added takes its default; a blob that cannot be (a field without a default added, a class
gone, a layout the history does not know) raises ValueError, as a damaged one does.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import pickle
import zlib
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from operator import attrgetter
from typing import Any

from . import model

__all__ = ["LAYOUT", "LAYOUT_ID", "dumps", "loads", "positional"]

_CLASSES: tuple[type, ...] = tuple(sorted(
    (c for c in vars(model).values() if isinstance(c, type) and is_dataclass(c) and c.__module__ == model.__name__),
    key=lambda c: c.__qualname__))


def positional(cls: type) -> bool:
    """Whether ``cls(*values)`` makes again the instance whose field values they are: every field an argument
    of __init__ that can be given by position, and no __post_init__ to recompute anything."""
    return all(f.init and not f.kw_only for f in fields(cls)) and not hasattr(cls, "__post_init__")


#: Class name → its fields' names, in order: the classes pickled as their values. (Any other model class keeps the
#: default pickling — its attribute dict, loaded by name whatever the layout.)
LAYOUT: dict[str, tuple[str, ...]] = {c.__qualname__: tuple(f.name for f in fields(c)) for c in _CLASSES
                                      if positional(c)}
LAYOUT_ID: str = hashlib.sha256(json.dumps(LAYOUT, sort_keys=True).encode()).hexdigest()[:16]
_MAGIC = b"PM1"
_HEAD = len(_MAGIC) + len(LAYOUT_ID)


def _reducer(cls: type) -> Callable[[Any], tuple[Any, tuple[Any, ...]]]:
    names = LAYOUT[cls.__qualname__]
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        name = names[0]
        return lambda obj: (cls, (getattr(obj, name),))
    values = attrgetter(*names)
    return lambda obj: (cls, values(obj))


def _table() -> dict[type, Any]:
    import copyreg

    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for cls in _CLASSES:
        if cls.__qualname__ in LAYOUT:
            table[cls] = _reducer(cls)
    return table


_TABLE = _table()


def dumps(obj: Any, level: int = 1) -> bytes:
    """``obj`` (model objects, lists, dicts, dates…) as a blob: ``PM1``, the layout id, zlib(pickle)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _TABLE
    pickler.dump(obj)
    return _MAGIC + LAYOUT_ID.encode() + zlib.compress(buf.getbuffer(), level)


def loads(blob: bytes, layouts: Callable[[str], Mapping[str, Any] | None] = lambda _: None) -> Any:
    """What :func:`dumps` made (or a plain ``zlib(pickle)`` blob of an earlier pimxl). ``layouts``: a layout id →
    its class → field names (the history's), for a blob of another layout than this pimxl's."""
    if blob[:len(_MAGIC)] != _MAGIC:
        return pickle.loads(zlib.decompress(blob))
    layout_id = blob[len(_MAGIC):_HEAD].decode("ascii", "replace")
    data = zlib.decompress(blob[_HEAD:])
    if layout_id == LAYOUT_ID:
        return pickle.loads(data)
    layout = layouts(layout_id)
    if layout is None:
        raise ValueError(f"unknown model layout {layout_id}")
    try:
        return _ByName(data, layout).load()
    except (TypeError, AttributeError) as e:  # a field without a default added, a class gone
        raise ValueError(f"model layout {layout_id} cannot be loaded: {e}") from None


class _ByName(pickle.Unpickler):
    """Loads a blob of another layout: a model class is made from its values by their names then."""

    def __init__(self, data: bytes, layout: Mapping[str, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.layout = layout

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        # Only a class the blob's layout pickled as its values (any other came as its attribute dict).
        if module == model.__name__ and name in self.layout:
            return functools.partial(_by_name, found, tuple(self.layout[name]))
        return found


def _by_name(cls: type, names: tuple[str, ...], *values: Any) -> Any:
    known = _field_names(cls)  # the class's fields now, whether or not this pimxl pickles it as values
    return cls(**{n: v for n, v in zip(names, values, strict=True) if n in known})


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls) if f.init)
