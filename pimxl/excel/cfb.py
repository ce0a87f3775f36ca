"""A minimal [MS-CFB] compound file writer (version 3, 512-byte sectors), enough for a vbaProject.bin.

olefile and oletools only read compound files; this writes one from a tree of streams:

    write_cfb({"PROJECT": b"…", "VBA": {"dir": b"…", "Module1": b"…"}})

Streams under 4096 bytes live in the mini stream (64-byte sectors), as the format requires;
larger ones in regular sectors. Siblings form a balanced binary tree ordered as [MS-CFB] 2.6.4
says (shorter names first, then upper-case code points), all nodes black: a valid red-black tree.
Sized for small files: the FAT must fit the 109 header DIFAT slots (about 6.8 MB).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = ["write_cfb"]

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1

Tree = dict[str, "Tree | bytes"]


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _entries(name: str, tree: Tree, kind: int, out: list[_Entry]) -> _Entry:
    """Flatten the tree into directory entries (index = position in ``out``)."""
    entry = _Entry(name, kind)
    out.append(entry)
    for child_name, value in tree.items():
        if len(child_name) > 31:
            raise ValueError(f"compound file names have at most 31 characters: {child_name!r}")
        if isinstance(value, dict):
            entry.children.append(_entries(child_name, value, _STORAGE, out))
        else:
            child = _Entry(child_name, _STREAM, bytes(value), size=len(value))
            out.append(child)
            entry.children.append(child)
    return entry


def _link(entries: list[_Entry], parent: _Entry) -> None:
    """Give each storage a balanced tree of its children, in the order [MS-CFB] compares names."""
    ordered = sorted(parent.children, key=lambda e: (len(e.name), e.name.upper()))

    def build(lo: int, hi: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = ordered[mid]
        node.left, node.right = build(lo, mid), build(mid + 1, hi)
        return entries.index(node)

    parent.child = build(0, len(ordered))
    for c in parent.children:
        if c.kind == _STORAGE:
            _link(entries, c)


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\0" * (-len(data) % size)


def _dir_entry(e: _Entry) -> bytes:
    name = (e.name + "\0").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), e.kind, _BLACK, e.left, e.right, e.child,
                       b"\0" * 16, 0, 0, 0, e.start, e.size)


def write_cfb(tree: Tree) -> bytes:
    """The bytes of a compound file holding ``tree`` (storage name → sub-tree, stream name → bytes)."""
    entries: list[_Entry] = []
    root = _entries("Root Entry", tree, _ROOT, entries)
    _link(entries, root)

    # Small streams go into the mini stream, one 64-byte mini sector chain each.
    mini = bytearray()
    minifat: list[int] = []
    big = [e for e in entries if e.kind == _STREAM and e.size >= CUTOFF]
    for e in entries:
        if e.kind == _STREAM and 0 < e.size < CUTOFF:
            e.start = len(minifat)
            n = -(-e.size // MINI)
            minifat.extend([0] * n)
            _chain(minifat, e.start, n)
            mini += _pad(e.data, MINI)

    # Regular sectors, in order: FAT, directory, mini FAT, mini stream, large streams.
    n_dir = -(-len(entries) // 4)
    n_minifat = -(-len(minifat) * 4 // SECTOR)
    n_mini = -(-len(mini) // SECTOR)
    n_big = [-(-e.size // SECTOR) for e in big]
    data_sectors = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < data_sectors + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for this writer (more than 109 FAT sectors)")
    total = n_fat + data_sectors
    fat = [FREESECT] * (n_fat * SECTOR // 4)
    for i in range(n_fat):
        fat[i] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else ENDOFCHAIN
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    root.start, root.size = (pos if n_mini else ENDOFCHAIN), len(mini)
    _chain(fat, pos, n_mini)
    pos += n_mini
    for e, n in zip(big, n_big, strict=True):
        e.start = pos
        _chain(fat, pos, n)
        pos += n
    assert pos == total

    directory = b"".join(_dir_entry(e) for e in entries)
    # Unused slots of the last directory sector: empty entries with no siblings.
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16,
                        0, 0, 0, 0, 0)
    directory += empty * (n_dir * 4 - len(entries))
    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6,
        0, n_fat, dir_start, 0, CUTOFF, minifat_start, n_minifat, ENDOFCHAIN, 0, *difat)
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        # The rest of the last mini FAT sector is free, not "next is sector 0".
        struct.pack(f"<{n_minifat * SECTOR // 4}I", *minifat, *[FREESECT] * (n_minifat * SECTOR // 4 - len(minifat))),
        _pad(bytes(mini), SECTOR),
        *(_pad(e.data, SECTOR) for e in big),
    ]
    out = header + b"".join(body)
    assert len(out) == SECTOR * (1 + total)
    return out
