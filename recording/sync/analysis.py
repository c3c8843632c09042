"""How well a recording keeps picture and sound together, measured with the clapper.

Theory of operation: the sources of a clapper session (``pleadesk demo --clapper``) flash and
beep at whole session seconds (:mod:`recording.media.clapper`). In a recording every party's flashes
are found in its area of the picture and its tones in the sound
(:mod:`recording.sync.clapper_detect`). Then, per party:

- **A/V skew**: tone onset minus flash, for each flash (positive: the sound comes late);
- **offset from the clock**: how far the flash (or the tone) lies from the whole session
  second it was made at, using the session time of the file's start that the recorder writes
  into every file (``PLEADESK_SESSION_START``);
- **cross-party offset**: that offset minus the reference party's (the suspect's) at the same
  time, i.e. how far two parties that acted at the same instant appear apart;
- **drift**: the slope of a straight line fitted through the skew over time, in ms per hour.

Percentiles are of the absolute values (p95 of |skew|), the median keeps its sign.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np

from recording.media.clapper import party_index, tone_frequency
from recording.sync.clapper_detect import Region, find_flashes, find_tones

PAIR_WINDOW_S = 0.5
MIN_DRIFT_SPAN_S = 60.0


class SyncAnalysisError(ValueError):
    """A file cannot be analysed; the message says why."""


@dataclass(frozen=True)
class Stats:
    """Summary of a series of values in milliseconds."""

    count: int
    median_ms: float
    p95_abs_ms: float
    max_abs_ms: float
    #: Slope of a line fitted through the values; None over less than a minute.
    drift_ms_per_hour: float | None

    @classmethod
    def of(cls, times: Sequence[float], values_s: Sequence[float]) -> Stats | None:
        """Stats of ``values_s`` (seconds) observed at ``times``; None when there are none."""
        if not values_s:
            return None
        ms = np.asarray(values_s, float) * 1000
        slope = None
        if len(ms) >= 3 and np.ptp(times) >= MIN_DRIFT_SPAN_S:
            slope = float(np.polyfit(np.asarray(times, float), ms, 1)[0]) * 3600
        magnitude = np.abs(ms)
        return cls(
            len(ms), float(np.median(ms)), float(np.percentile(magnitude, 95)),
            float(magnitude.max()), slope,
        )  # fmt: skip


@dataclass(frozen=True)
class PartySync:
    """What the clapper shows about one party in one file."""

    file: str
    role: str
    index: int
    flashes: int
    tones: int
    #: Tone minus flash (positive: sound late).
    skew: Stats | None
    #: Flash (tone) minus the whole session second it was made at.
    video_offset: Stats | None
    audio_offset: Stats | None
    #: Offsets minus the reference party's at the same time.
    video_cross: Stats | None
    audio_cross: Stats | None


@dataclass(frozen=True)
class SyncReport:
    """The analysis of one or more files of one session."""

    files: tuple[str, ...]
    duration_s: float
    reference: str
    parties: tuple[PartySync, ...]

    def to_json(self) -> str:
        """The report as JSON."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def worst_ms(self) -> float:
        """The largest p95 of |A/V skew| and |cross-party offset| over all parties."""
        values = [0.0]
        for party in self.parties:
            for stats in (party.skew, party.video_cross, party.audio_cross):
                if stats is not None:
                    values.append(stats.p95_abs_ms)
        return max(values)

    def to_text(self) -> str:
        """A table for people."""
        head = (
            f"{'file':<24} {'party':<13} {'k':>2} {'flash':>5} {'tone':>5}  "
            f"{'A/V skew ms p50/p95/max':>24} {'drift ms/h':>10}  "
            f"{'vs clock ms v/a':>15}  {'vs ' + self.reference + ' ms v/a p95':>20}"
        )
        lines = [f"{len(self.files)} file(s), {self.duration_s:.1f} s", head]
        for p in self.parties:
            lines.append(
                f"{_names(p.file):<24} {p.role:<13} {p.index:>2} {p.flashes:>5} "
                f"{p.tones:>5}  {_triple(p.skew):>24} {_drift(p.skew):>10}  "
                f"{_pair(p.video_offset, p.audio_offset, 'median_ms'):>15}  "
                f"{_pair(p.video_cross, p.audio_cross, 'p95_abs_ms'):>20}"
            )
        lines.append(f"worst p95: {self.worst_ms():.1f} ms (skew: + means the sound is late)")
        return "\n".join(lines)


def _names(files: str) -> str:
    names = [Path(f).name for f in files.split(", ")]
    shown = names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1}"
    return shown[:24]


def _triple(stats: Stats | None) -> str:
    if stats is None:
        return "-"
    return f"{stats.median_ms:+.1f}/{stats.p95_abs_ms:.1f}/{stats.max_abs_ms:.1f}"


def _drift(stats: Stats | None) -> str:
    if stats is None or stats.drift_ms_per_hour is None:
        return "-"
    return f"{stats.drift_ms_per_hour:+.2f}"


def _pair(video: Stats | None, audio: Stats | None, field: str) -> str:
    def one(stats: Stats | None) -> str:
        return "-" if stats is None else f"{getattr(stats, field):+.1f}"

    return f"{one(video)}/{one(audio)}"


@dataclass(frozen=True)
class _Found:
    """One party's events in one or more files of one kind, in session time."""

    file: str
    kind: str
    role: str
    index: int
    flashes: list[float]
    tones: list[float]
    start: float
    end: float

    def merged(self, other: _Found) -> _Found:
        """The events of two segments of the same recording and party together."""
        return _Found(
            f"{self.file}, {other.file}", self.kind, self.role, self.index,
            sorted(self.flashes + other.flashes), sorted(self.tones + other.tones),
            min(self.start, other.start), max(self.end, other.end),
        )  # fmt: skip


def _metadata(container: av.container.InputContainer) -> dict[str, str]:
    return {k.upper(): v for k, v in container.metadata.items()}


def _scan(path: Path, party: int | None) -> list[_Found]:
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise SyncAnalysisError(f"cannot open {path}: {exc}") from exc
    with container:
        if not container.streams.video or not container.streams.audio:
            raise SyncAnalysisError(f"{path} needs a picture and a sound stream")
        meta = _metadata(container)
        start = float(meta.get("PLEADESK_SESSION_START", "0") or 0)
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        if meta.get("PLEADESK_KIND") == "composite":
            areas = json.loads(meta["PLEADESK_LAYOUT"])
            regions = {role: Region(*rect) for role, rect in areas.items()}
            indices = {role: int(k) for role, k in json.loads(meta["PLEADESK_CLAPPER"]).items()}
        else:
            clapper = json.loads(meta.get("PLEADESK_CLAPPER", "{}") or "{}")
            role = meta.get("PLEADESK_ROLE") or path.stem
            index = party if party is not None else int(clapper.get(role, party_index(role)))
            regions = {role: Region(0, 0, width, height)}
            indices = {role: index}
        kind = "composite" if meta.get("PLEADESK_KIND") == "composite" else "party"
        flashes, end = find_flashes(container, regions)
        container.seek(0)
        freqs = {role: tone_frequency(k) for role, k in indices.items()}
        tones = find_tones(container, freqs)
    found = []
    for role in regions:
        session_flashes = [t + start for t in flashes[role]]
        session_tones = [t + start for t in tones[role]]
        item = _Found(
            str(path), kind, role, indices[role], session_flashes, session_tones, start,
            start + end,
        )  # fmt: skip
        found.append(item)
    return found


def _offsets(times: list[float]) -> tuple[list[float], list[float]]:
    """(session times, offsets from the nearest whole session second) of ``times``."""
    return times, [t - round(t) for t in times]


def _skews(found: _Found) -> tuple[list[float], list[float]]:
    times, skews = [], []
    tones = np.asarray(found.tones)
    for flash in found.flashes:
        if len(tones) == 0:
            break
        nearest = float(tones[np.argmin(np.abs(tones - flash))])
        if abs(nearest - flash) <= PAIR_WINDOW_S:
            times.append(flash)
            skews.append(nearest - flash)
    return times, skews


def _cross(
    times: list[float], offsets: list[float], ref_times: list[float], ref_offsets: list[float]
) -> list[float]:
    if len(ref_times) == 0 or not times:
        return []
    reference = np.interp(times, ref_times, ref_offsets)
    return [float(v) for v in np.asarray(offsets) - reference]


def analyse_files(paths: Sequence[Path], *, party: int | None = None) -> SyncReport:
    """Analyse a composite recording and/or parties' own files of one session.

    ``party`` sets the clapper number for a file that does not say which party it holds.
    """
    if not paths:
        raise SyncAnalysisError("no file to analyse")
    found: dict[tuple[str, str], _Found] = {}
    for path in paths:
        # Segments of one recording (and a party's files of several segments) count as one.
        for f in _scan(Path(path), party):
            key = (f.kind, f.role)
            found[key] = found[key].merged(f) if key in found else f
    roles = [f.role for f in found.values()]
    reference = "suspect" if "suspect" in roles else roles[0]
    parties = []
    for (kind, _), f in found.items():
        # The reference is the reference party in the same kind of file (the composite, or
        # its own file): both then share one timeline.
        same_kind = found.get((kind, reference))
        ref = same_kind or next(g for g in found.values() if g.role == reference)
        v_times, v_off = _offsets(f.flashes)
        a_times, a_off = _offsets(f.tones)
        rv_times, rv_off = _offsets(ref.flashes)
        ra_times, ra_off = _offsets(ref.tones)
        skew_times, skews = _skews(f)
        is_ref = f is ref
        video_cross = None if is_ref else _cross(v_times, v_off, rv_times, rv_off)
        audio_cross = None if is_ref else _cross(a_times, a_off, ra_times, ra_off)
        parties.append(
            PartySync(
                file=f.file,
                role=f.role,
                index=f.index,
                flashes=len(f.flashes),
                tones=len(f.tones),
                skew=Stats.of(skew_times, skews),
                video_offset=Stats.of(v_times, v_off),
                audio_offset=Stats.of(a_times, a_off),
                video_cross=None if video_cross is None else Stats.of(v_times, video_cross),
                audio_cross=None if audio_cross is None else Stats.of(a_times, audio_cross),
            )
        )
    duration = max(f.end for f in found.values()) - min(f.start for f in found.values())
    return SyncReport(tuple(str(p) for p in paths), duration, reference, tuple(parties))
