"""Which evidence bags go on which disc: one case per disc, or packed by size.

Theory of operation (pure: sizes in, a plan out; nothing here reads a disc or a file).

Sizes are counted in 2048-byte sectors, as a disc holds them: each file takes its size rounded
up to whole sectors plus one sector for its entries in the three directory trees (ISO 9660,
Joliet, Rock Ridge), and every disc keeps a reserve for the volume descriptors, path tables
and the disc's own README. That over-counts a little, never under-counts.

* ``case`` mode: the bags of one case share discs, never with another case ("一案一光盘").
* ``pack`` mode: all bags are packed first-fit-decreasing over as few discs as possible.

A bag is split only when it alone exceeds a disc. Its payload files are then spread over
several part bags, each a complete, valid bag of its own (``Bag-Count: 2 of 3``, see
:mod:`recording.archive.bag_parts`), and each carrying the encrypted list of plaintext hashes. A
single file larger than a disc cannot be planned (sealing cuts ciphertexts into 1 GiB pieces
long before that).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from recording.archive.errors import ArchiveError

SECTOR = 2048
RESERVE_SECTORS = 8192  # 16 MiB: descriptors, path tables, directory trees, README
_PER_FILE_SECTORS = 1
_TAG_FILES = 4
PLAN_FORMAT = "pleadesk-disc-plan/1"


@dataclass(frozen=True)
class Media:
    """A kind of disc: its key for the command line, its name and its capacity in sectors."""

    key: str
    name: str
    sectors: int

    @property
    def usable_sectors(self) -> int:
        """Sectors left for bags once the reserve is taken."""
        return self.sectors - RESERVE_SECTORS


MEDIA = {
    media.key: media
    for media in (
        Media("dvd", "DVD±R 4.7 GB", 2_295_104),  # DVD+R single layer, the smaller of the two
        Media("dvd-dl", "DVD±R DL 8.5 GB", 4_171_712),
        Media("bd", "BD-R 25 GB", 12_219_392),
        Media("bd-dl", "BD-R DL 50 GB", 24_438_784),
    )
}
MODES = ("case", "pack")


class PlanError(ArchiveError):
    """The bags cannot be planned onto discs of this kind."""


def sectors(size: int) -> int:
    """Sectors a file of ``size`` bytes takes on a disc, with its directory entries."""
    return -(-size // SECTOR) + _PER_FILE_SECTORS


@dataclass(frozen=True)
class BagToPlan:
    """A sealed bag as the planner sees it.

    ``files`` are payload paths (``data/...``) with sizes; ``shared`` names the files every
    part of a split bag carries (the encrypted hash list); ``tag_bytes`` is the tag files'
    total size.
    """

    bag_id: str
    case_number: str
    files: tuple[tuple[str, int], ...]
    tag_bytes: int
    shared: tuple[str, ...] = ()

    @property
    def sectors(self) -> int:
        """Sectors the whole bag takes."""
        return sum(sectors(size) for _, size in self.files) + self._tag_sectors

    @property
    def _tag_sectors(self) -> int:
        return sectors(self.tag_bytes) + _TAG_FILES * _PER_FILE_SECTORS

    def split(self, capacity: int) -> list[PlannedPart]:
        """Spread the payload over as few parts of ``capacity`` sectors as first-fit allows."""
        shared = [(p, s) for p, s in self.files if p in self.shared]
        # A part's tag files grow with it; twice the whole bag's tag size is ample.
        fixed = 2 * self._tag_sectors + sum(sectors(s) for _, s in shared)
        room = capacity - fixed
        rest = sorted(
            (f for f in self.files if f[0] not in self.shared), key=lambda f: (-f[1], f[0])
        )
        bins: list[tuple[int, list[tuple[str, int]]]] = []
        for path, size in rest:
            need = sectors(size)
            if need > room:
                raise PlanError(
                    f"{self.bag_id}: the file {path} ({size / 1024**3:.2f} GiB) is larger than a "
                    "whole disc. Choose larger discs, or seal the session again so that its "
                    "recording is stored in pieces."
                )
            for index, (used, members) in enumerate(bins):
                if used + need <= room:
                    bins[index] = (used + need, [*members, (path, size)])
                    break
            else:
                bins.append((need, [(path, size)]))
        count = len(bins)
        return [
            PlannedPart(
                self.bag_id,
                self.case_number,
                number,
                count,
                tuple(sorted(p for p, _ in [*members, *shared])),
                used + fixed,
            )
            for number, (used, members) in enumerate(bins, start=1)
        ]


@dataclass(frozen=True)
class PlannedPart:
    """A bag, or one part of a split bag, as it goes on a disc."""

    bag_id: str
    case_number: str
    part: int
    of: int
    files: tuple[str, ...]
    sectors: int

    @property
    def folder(self) -> str:
        """The bag's folder on the disc: its id, with ``-part2of3`` for a part."""
        return self.bag_id if self.of == 1 else f"{self.bag_id}-part{self.part}of{self.of}"


@dataclass(frozen=True)
class PlannedDisc:
    """One disc of a plan: its id (also its ISO volume id) and the bags on it."""

    disc_id: str
    parts: tuple[PlannedPart, ...]

    @property
    def sectors(self) -> int:
        """Sectors the disc's bags take (the reserve not counted)."""
        return sum(part.sectors for part in self.parts)

    @property
    def case_numbers(self) -> tuple[str, ...]:
        """The cases on this disc, each once, in order."""
        return tuple(dict.fromkeys(part.case_number for part in self.parts))


@dataclass(frozen=True)
class DiscPlan:
    """Discs for a set of bags: on what media, in which mode, made when."""

    plan_id: str
    media: str
    mode: str
    created: str
    discs: tuple[PlannedDisc, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the plan."""
        return {
            "format": PLAN_FORMAT,
            "plan_id": self.plan_id,
            "media": self.media,
            "mode": self.mode,
            "created": self.created,
            "discs": [
                {"disc_id": d.disc_id, "parts": [part.__dict__ for part in d.parts]}
                for d in self.discs
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiscPlan:
        """Read a plan written by :meth:`to_json`; raises PlanError if it is not one."""
        try:
            if data["format"] != PLAN_FORMAT:
                raise ValueError(data["format"])
            discs = tuple(
                PlannedDisc(
                    d["disc_id"],
                    tuple(PlannedPart(**{**p, "files": tuple(p["files"])}) for p in d["parts"]),
                )
                for d in data["discs"]
            )
            return cls(data["plan_id"], data["media"], data["mode"], data["created"], discs)
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanError(f"This is not a disc plan made by PleaDesk ({exc}).") from None

    def dumps(self) -> str:
        """The plan as JSON text."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"


def _pack(items: Iterable[PlannedPart], capacity: int) -> list[list[PlannedPart]]:
    """First-fit decreasing; ties broken by bag id and part, so plans are reproducible."""
    discs: list[tuple[int, list[PlannedPart]]] = []
    for item in sorted(items, key=lambda p: (-p.sectors, p.bag_id, p.part)):
        for index, (used, members) in enumerate(discs):
            if used + item.sectors <= capacity:
                discs[index] = (used + item.sectors, [*members, item])
                break
        else:
            discs.append((item.sectors, [item]))
    return [
        sorted(members, key=lambda p: (p.case_number, p.bag_id, p.part)) for _, members in discs
    ]


def plan_discs(
    bags: Sequence[BagToPlan],
    media: str,
    mode: str,
    *,
    plan_id: str,
    created: str,
    disc_prefix: str,
    first_number: int = 1,
) -> DiscPlan:
    """Plan ``bags`` onto discs of kind ``media`` (a key of :data:`MEDIA`) in ``mode``.

    Discs are named ``<disc_prefix>_<NN>`` from ``first_number`` on (ISO volume ids, so the
    prefix is A-Z, 0-9 and ``_``).
    """
    if media not in MEDIA:
        raise PlanError(f"Unknown disc kind {media!r}; choose one of {', '.join(MEDIA)}.")
    if mode not in MODES:
        raise PlanError(f"Unknown planning mode {mode!r}; choose 'case' or 'pack'.")
    if not bags:
        raise PlanError("There are no sealed bags waiting for a disc.")
    capacity = MEDIA[media].usable_sectors

    def items(group: Iterable[BagToPlan]) -> list[PlannedPart]:
        out: list[PlannedPart] = []
        for bag in group:
            if bag.sectors <= capacity:
                files = tuple(sorted(p for p, _ in bag.files))
                out.append(PlannedPart(bag.bag_id, bag.case_number, 1, 1, files, bag.sectors))
            else:
                out.extend(bag.split(capacity))
        return out

    if mode == "pack":
        groups = _pack(items(bags), capacity)
    else:
        cases = sorted({bag.case_number for bag in bags})
        groups = [
            disc
            for case in cases
            for disc in _pack(items(b for b in bags if b.case_number == case), capacity)
        ]
    discs = tuple(
        PlannedDisc(f"{disc_prefix}_{number:02d}", tuple(parts))
        for number, parts in enumerate(groups, start=first_number)
    )
    return DiscPlan(plan_id, media, mode, created, discs)
