"""The composite recorder: every party's media in, one evidence recording out.

Theory of operation: ``push_video``, ``push_audio`` and the markers (``mark_step``,
``party_lost``, ``set_caption``) are called from the event loop. They only append to small
bounded buffers under a lock (dropping the oldest entry, and counting it, if the writer falls
behind) and return. A writer thread does everything else: it composes, mixes, encodes and muxes.

Output frames lie on the session clock's grid: frame ``i`` shows session time
``(n0 + i) / fps`` for a whole number ``n0``, so there is a frame at every whole session
second, and recordings made by different recorders of one session line up frame for frame.
Media is placed by its capture time ``t`` (session time), never by when it arrived. An instant
is written as soon as every party still sending has delivered it (see
:meth:`MediaInbox.watermarks`), and at the latest ``latency`` seconds after it, so a party
that stalls cannot hold the recording back and a crash loses little. Each frame shows every
party's latest picture taken by the frame's instant plus half a frame period, so a picture
goes into the output frame nearest its capture time, never more than half a frame (20 ms at
25 fps) away; a party with no picture for ``stale_after`` seconds is missing
(:mod:`recording.recorder.presence`). Audio is mixed onto the same timeline by timestamp and encoded
in blocks of 1024 samples. Timestamps in the file come from the frame and sample counters, never
from arrival order, so audio and video stay in step however the network delivered them.

The recording is a series of segment files (:mod:`recording.recorder.segments`), each a complete
Matroska file with its chapters; beside them each party's own file
(:mod:`recording.recorder.party_writer`: its pictures as they arrived compressed, and its sound) and
the journal (:mod:`recording.recorder.journal`), which keeps segments, chapters and gaps crash-safe.
A recorder started again for the same recording continues in a new segment and records the
gap.

Failures of the writer (a full disk, an encoder error) are recorded, the files are closed, and
:meth:`CompositeRecorder.stop` raises them as :class:`RecordingError`.
"""

from __future__ import annotations

import errno
import logging
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recording.media import vp8
from recording.recorder.compositor import MIN_SIZE, Compositor
from recording.recorder.inbox import Marker, MediaInbox, RecordingInputError
from recording.recorder.journal import Chapter, Gap, Journal, journal_path, read_journal
from recording.recorder.mixer import AudioMixer
from recording.recorder.muxer import CLUSTER_MS, PRESET
from recording.recorder.presence import Presence
from recording.recorder.restart import CRASH_REASON, RESTART_REASON, Previous
from recording.recorder.segment_writer import SegmentSeries
from recording.recorder.segments import SegmentPolicy, next_segment_index
from recording.recorder.timeline import Timeline

__all__ = [
    "CRASH_REASON",
    "RESTART_REASON",
    "CompositeRecorder",
    "RecordingError",
    "RecordingInfo",
    "RecordingInputError",
]

logger = logging.getLogger(__name__)

_EPS = 1e-9  # absorbs float rounding when comparing session times


class RecordingError(RuntimeError):
    """The recording could not be written; the message says what failed and where."""


@dataclass(frozen=True)
class RecordingInfo:
    """What a finished recording holds."""

    path: Path
    duration_s: float
    video_frames: int
    audio_samples: int
    #: Video frames plus audio chunks dropped because a party's buffer was full.
    dropped: int
    dropped_video_frames: int
    dropped_audio_chunks: int
    #: Audio samples that arrived after their place in the mix had been written.
    late_audio_samples: int
    #: The composite segment files this recorder wrote, in order.
    segments: tuple[Path, ...] = ()
    #: Each party's own files (all segments).
    party_files: tuple[Path, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    gaps: tuple[Gap, ...] = ()
    #: Session time of the first frame.
    session_start: float = 0.0
    journal: Path | None = None


class CompositeRecorder:
    """Records every party of a session into composite Matroska segments (H.264 + AAC).

    ``roles`` are the parties shown (``suspect_room``, a second camera on the suspect's side,
    becomes a picture-in-picture); ``clock`` returns session time in seconds;
    ``wall_epoch + session time`` is the Unix time burned into the picture. The elapsed time in
    the picture counts from ``elapsed_origin`` (a session time; default: the first frame).
    ``label_font`` is a CJK TrueType font for the Chinese captions (None: ASCII captions).
    ``path`` names the recording: its first segment, unless that exists already (a restart),
    in which case the next free segment name is used. ``party_files`` also writes each party's
    own file, from the compressed pictures handed over with :meth:`push_encoded`; such a file
    begins at a key frame, and ``ask_keyframe(role)`` (called on the writer thread) asks the
    party for one. ``on_gap`` is called on the writer thread with every gap opened or closed.
    With ``threaded=False`` no thread is started and the caller drives the writer with
    :meth:`run_until` (tests).
    """

    def __init__(
        self,
        path: Path,
        *,
        roles: Sequence[str],
        clock: Callable[[], float],
        wall_epoch: float,
        label_font: Path | None,
        size: tuple[int, int] = (1280, 720),
        fps: int = 25,
        latency: float = 1.0,
        audio_rate: int = 48000,
        stale_after: float = 0.5,
        elapsed_origin: float | None = None,
        threaded: bool = True,
        case_number: str = "",
        party_files: bool = True,
        segment_policy: SegmentPolicy | None = None,
        on_gap: Callable[[Gap], None] | None = None,
        cluster_ms: int = CLUSTER_MS,
        preset: str = PRESET,
        ask_keyframe: Callable[[str], None] | None = None,
    ) -> None:
        if size[0] < MIN_SIZE[0] or size[1] < MIN_SIZE[1]:
            raise ValueError(f"the recording must be at least 704x576, got {size[0]}x{size[1]}")
        if audio_rate % fps:
            raise ValueError(f"the audio rate {audio_rate} must be a multiple of fps {fps}")
        if len(set(roles)) != len(roles) or not roles:
            raise ValueError(f"roles must be distinct and not empty, got {list(roles)}")
        self.path = Path(path)
        self._roles = tuple(roles)
        self._size, self._fps, self._rate = size, fps, audio_rate
        self._clock, self._wall_epoch = clock, wall_epoch
        self._latency, self._stale_after, self._threaded = latency, stale_after, threaded
        # A picture goes into the output frame nearest to its capture time: a frame shows
        # pictures taken up to (just under) half a frame period after its instant.
        self._ahead = 0.5 / fps - 1e-6
        self._elapsed_origin = elapsed_origin
        self._compositor = Compositor(roles, label_font=label_font, size=size)
        self._mixer = AudioMixer(audio_rate)
        # Room for a few seconds of pictures: when the machine is busy the writer falls behind
        # the clock for a while, and the pictures it has not reached yet must still be there.
        self._inbox = MediaInbox(roles, pictures=max(8, math.ceil((latency + 3.0) * 30)))
        self._party_files = party_files
        #: Each party's picture size, from its latest key frame: the size its next file says.
        self._party_sizes: dict[str, tuple[int, int]] = {}
        self._presence = Presence(
            roles, wall_epoch, self._gap_changed, chinese=label_font is not None
        )
        self._on_gap = on_gap
        self._journal = Journal(journal_path(self.path))
        self._segments = SegmentSeries(
            self.path, self._journal, wall_epoch, roles=self._roles,
            layout=self._compositor.layout, size=size, fps=fps, audio_rate=audio_rate,
            cluster_ms=cluster_ms, preset=preset, party_files=party_files,
            policy=segment_policy or SegmentPolicy(), ask_keyframe=ask_keyframe,
        )  # fmt: skip
        self._lock = threading.Lock()
        self._case_number = case_number
        self._chapters: list[Chapter] = []
        self._state = "new"
        self._timeline = Timeline(0, fps, audio_rate)
        #: An earlier recorder of this recording, whose gap is recorded on the writer thread.
        self._previous: Previous | None = None
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._stop_time = 0.0
        self._error: RecordingError | None = None
        self._info: RecordingInfo | None = None

    # --- the caller's side ---------------------------------------------------------------

    @property
    def error(self) -> RecordingError | None:
        """The failure that ended the recording early, or None."""
        return self._error

    @property
    def session_start(self) -> float:
        """Session time of output frame 0 (a whole multiple of 1 / fps)."""
        return self._timeline.start

    @property
    def written_until(self) -> float:
        """Session time up to which pictures have gone to the encoder (how far behind the
        recording is: ``clock() - written_until``)."""
        return self._timeline.frame_time(self._timeline.frames)

    @property
    def gaps(self) -> list[Gap]:
        """Every gap so far (parties lost, and the time before a restart), oldest first."""
        with self._lock:
            return list(self._presence.gaps)

    @property
    def chapters(self) -> list[Chapter]:
        """The session steps marked so far."""
        with self._lock:
            return list(self._chapters)

    @property
    def segments(self) -> list[Path]:
        """The composite segment files written so far, the current one last."""
        return [segment.path for segment in self._segments.all()]

    def start(self) -> None:
        """Open the first segment and start recording from the next instant on the frame grid."""
        if self._state != "new":
            raise RuntimeError("a CompositeRecorder can be started only once")
        earlier = read_journal(self._journal.path)
        known = [s.index for s in earlier.segments]
        index = next_segment_index(self.path, self._roles, known)
        if index > 0:
            logger.warning("%s: continuing the recording in segment %d", self.path, index)
            self._previous = Previous.from_journal(earlier, self._wall_epoch + self._clock())
            step = self._previous.carried_step(self._wall_epoch)
            if step is not None:
                self._chapters.append(step)
        n0 = math.ceil(self._clock() * self._fps - 1e-6)
        self._timeline = Timeline(n0, self._fps, self._rate)
        self._open_segment(index, first_frame=0)
        self._state = "recording"
        if self._threaded:
            self._thread = threading.Thread(
                target=self._run, name=f"recorder {self.path.name}", daemon=True
            )
            self._thread.start()

    def push_video(self, role: str, image: np.ndarray, t: float) -> None:
        """Hand over ``role``'s picture captured at session time ``t``.

        BGR ``(H, W, 3)`` uint8, or an I420 buffer ``(H * 3 // 2, W)`` uint8 (a decoder's
        yuv420p frame as ``VideoFrame.to_ndarray()`` returns it).

        Never blocks. The array is kept, not copied: do not modify it afterwards.
        Ignored once the recording has stopped or failed.
        """
        self._inbox.put_video(role, image, t, self._clock())

    def push_encoded(self, role: str, data: bytes, t: float) -> None:
        """Hand over ``role``'s picture captured at session time ``t`` as it arrived: one
        compressed VP8 frame, for the party's own file. Every frame, in the order received.

        Never blocks. Ignored without party files, and once the recording has stopped.
        """
        if self._party_files:
            self._inbox.put_encoded(role, data, t)

    def push_audio(self, role: str, samples: np.ndarray, sample_rate: int, t: float) -> None:
        """Hand over ``role``'s audio: int16, mono ``(N,)`` or interleaved stereo ``(N, 2)``.

        ``t`` is the session time at which the first sample was captured. Never blocks; the
        samples are copied, so the caller may reuse its buffer. Ignored once stopped or failed.
        """
        self._inbox.put_audio(role, samples, sample_rate, t, self._clock())

    def set_caption(self, case_number: str) -> None:
        """Show ``case_number`` in the picture from now on."""
        self._inbox.put_marker(Marker("caption", self._clock(), case_number))

    def mark_step(self, step_label: str, t: float | None = None) -> None:
        """A session step begins at session time ``t`` (default: now).

        It becomes a chapter (in the journal at once, in the segment file when it closes) and
        its label is shown in the picture from ``t`` on.
        """
        self._inbox.put_marker(Marker("step", self._clock() if t is None else t, step_label))

    def party_lost(self, role: str, reason: str, t: float | None = None) -> None:
        """``role`` is gone from session time ``t`` (default: now) for ``reason``.

        Its tile shows the reason at once, without waiting for its pictures to go stale; the
        gap closes with its next picture.
        """
        self._inbox.put_marker(Marker("lost", self._clock() if t is None else t, reason, role))

    def run_until(self, now: float) -> None:
        """Write every frame and audio block due at session time ``now`` (``threaded=False``)."""
        if self._threaded:
            raise RuntimeError("run_until() drives an unthreaded recorder only")
        if self._state != "recording":
            raise RuntimeError(f"run_until() on a recorder that is {self._state}")
        if self._error is None:
            try:
                self._advance(now, final=False)
            except Exception as exc:
                self._fail(exc)

    def stop(self) -> RecordingInfo:
        """Write everything up to ``clock()`` now, close the files and describe them.

        Blocks while the last ``latency`` seconds are encoded: call it off the event loop.
        Raises :class:`RecordingError` if the writer failed at any point. Calling it again
        returns the same result.
        """
        if self._state == "new":
            raise RuntimeError("stop() before start()")
        if self._state == "recording":
            self._stop_time = self._clock()
            if self._thread is not None:
                self._stop_requested.set()
                self._thread.join()
            elif self._error is None:
                try:
                    self._finish()
                except Exception as exc:
                    self._fail(exc)
            self._inbox.close()
            self._state = "stopped"
            self._info = self._describe()
            logger.info("recording %s closed: %s", self.path, self._info)
        if self._error is not None:
            raise self._error
        assert self._info is not None
        return self._info

    # --- writer side: everything below runs on the writer thread (or in run_until/stop) ---

    def _run(self) -> None:
        poll_s = 0.5 / self._fps
        warn_after = 0.0
        try:
            while not self._stop_requested.wait(poll_s):
                self._advance(self._clock(), final=False)
                now = self._clock()
                lag = now - self._latency - self._timeline.frame_time(self._timeline.frames)
                if lag > 1.0 and now >= warn_after:
                    # Falling behind means pictures are dropped from the full buffers.
                    logger.warning("recorder %s is %.1f s behind the clock", self.path, lag)
                    warn_after = now + 10.0
            self._finish()
        except Exception as exc:
            self._fail(exc)

    def _finish(self) -> None:
        self._advance(self._stop_time, final=True)
        self._write_encoded(math.inf)
        self._close_segment(self._timeline.frame_time(self._timeline.frames))
        self._journal.write("stopped", wall=self._wall_epoch + self._stop_time)

    def _fail(self, exc: Exception) -> None:
        written = self._timeline.frames / self._fps
        logger.error("recording %s failed after %.1f s", self.path, written, exc_info=exc)
        current = self._segments.current
        where = current.path if current is not None else self.path
        full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
        hint = "the disk is full: free space or" if full else "check the disk and"
        error = RecordingError(
            f"writing the recording {where} failed after {written:.1f} s of video: {exc}. "
            f"The files keep what was written before the failure; {hint} start a new recording."
        )
        error.__cause__ = exc
        self._inbox.close()
        self._error = error
        self._segments.abort()
        try:
            self._journal.write("failed", wall=self._wall_epoch + self._clock(), error=str(exc))
        except OSError:
            logger.exception("the journal of %s could not note the failure", self.path)

    def _advance(self, now: float, *, final: bool) -> None:
        """Write the video frames and audio blocks due at ``now``, in time order.

        A frame or block is due once every party still sending has delivered its instant, or
        ``latency`` after it. When ``final``, no more media will come: everything before
        ``now`` is written, the last audio block possibly short.
        """
        self._take_markers()
        self._drain_audio()
        if self._previous is not None:
            previous, self._previous = self._previous, None
            gap = previous.gap_until(self.session_start, self._wall_epoch)
            with self._lock:
                self._presence.add_gap(gap)
        if final:
            horizon_v = horizon_a = now
        else:
            base = now - self._latency
            video_wm, audio_wm = self._inbox.watermarks(now, self._stale_after)
            if video_wm is not None:
                video_wm -= self._ahead  # a frame also shows pictures up to half a frame later
            horizon_v = min(now, max(base, video_wm if video_wm is not None else base))
            if audio_wm is not None:
                # Chunks are laid end to end up to ``snap_s`` from their timestamps: keep that
                # much back, or the start of a party's next chunk would already be written.
                audio_wm -= self._mixer.snap_s + 0.005
            horizon_a = min(now, max(base, audio_wm if audio_wm is not None else base))
        while True:
            action, count = self._timeline.next(horizon_v, horizon_a, final=final)
            if action == "video":
                self._emit_video()
            elif action == "audio":
                self._emit_audio(count)
            elif action == "roll":
                self._roll()
            else:
                return

    def _emit_video(self) -> None:
        segment = self._segments.current
        assert segment is not None
        timeline = self._timeline
        at = timeline.frame_time(timeline.frames)
        shown = self._inbox.frame_at(at, self._stale_after, ahead=self._ahead)
        with self._lock:
            cards = self._presence.update(at, shown)
            step = next((c.title for c in reversed(self._chapters) if c.t <= at + _EPS), "")
        origin = self.session_start if self._elapsed_origin is None else self._elapsed_origin
        caption = "  ".join(part for part in (self._case_number, step) if part)
        pictures = {
            role: p.image if p is not None and role not in cards else None
            for role, p in shown.items()
        }
        canvas = self._compositor.compose(
            pictures, at - origin, self._wall_epoch + at, caption=caption, cards=cards
        )
        segment.write_video(canvas, timeline.frames)
        self._write_encoded(at + self._ahead)
        timeline.wrote_video()
        # At each whole second: if the segment will be full by the next whole second, end it
        # there (not here: the sound may already be a little past this one).
        deciding = timeline.at_whole_second() and timeline.roll_at is None
        if deciding and segment.full(timeline.frame_time(timeline.frames + self._fps)):
            timeline.roll_at = timeline.frames + self._fps

    def _write_encoded(self, until: float) -> None:
        """Hand the compressed pictures taken up to ``until`` to the current party files."""
        segment = self._segments.current
        assert segment is not None
        for role, pictures in self._inbox.take_encoded(until).items():
            for picture in pictures:
                size = vp8.keyframe_size(picture.data)
                if size is not None:
                    self._party_sizes[role] = size
            segment.write_encoded(role, pictures)

    def _emit_audio(self, count: int) -> None:
        segment = self._segments.current
        assert segment is not None
        mix, parts = self._mixer.take_parts(count)
        segment.write_audio(mix, parts, self._timeline.samples)
        self._timeline.wrote_audio(count)

    def _drain_audio(self) -> None:
        for chunk in self._inbox.take_audio():
            start = self._timeline.sample_at(chunk.t)
            self._mixer.add(chunk.role, chunk.samples, chunk.sample_rate, start)

    def _take_markers(self) -> None:
        for marker in self._inbox.take_markers():
            if marker.kind == "caption":
                self._case_number = marker.text
            elif marker.kind == "step":
                chapter = Chapter(marker.text, marker.t, self._wall_epoch + marker.t)
                with self._lock:
                    self._chapters.append(chapter)
                    self._chapters.sort(key=lambda c: c.t)
                self._journal.chapter(chapter)
            elif marker.kind == "lost":
                with self._lock:
                    self._presence.lost(marker.role, marker.text, marker.t)

    def _gap_changed(self, gap: Gap) -> None:
        self._journal.gap(gap)
        if self._on_gap is not None:
            try:
                self._on_gap(gap)
            except Exception:
                logger.exception("the gap callback of %s failed", self.path)

    # --- segments ---------------------------------------------------------------------------

    def _open_segment(self, index: int, first_frame: int) -> None:
        timeline = self._timeline
        try:
            self._segments.open(
                index, first_frame=first_frame, first_sample=timeline.sample_of_frame(first_frame),
                start=timeline.frame_time(first_frame), case_number=self._case_number,
                party_sizes=self._party_sizes,
            )  # fmt: skip
        except FileExistsError as exc:
            raise RecordingError(
                f"{exc.filename} already exists; a recording is never overwritten, "
                "choose a new name"
            ) from exc
        except OSError as exc:
            raise RecordingError(f"cannot create the recording file {exc.filename}: {exc}") from exc
        except Exception as exc:
            raise RecordingError(f"cannot open the recording file {self.path}: {exc}") from exc

    def _close_segment(self, end: float) -> None:
        with self._lock:
            chapters = list(self._chapters)
        self._segments.close(chapters, end)

    def _roll(self) -> None:
        old = self._segments.current
        assert old is not None
        timeline = self._timeline
        self._close_segment(timeline.frame_time(timeline.frames))
        timeline.rolled()
        self._open_segment(old.index + 1, timeline.frames)
        logger.info("recording %s continues in segment %d", self.path, old.index + 1)

    def _describe(self) -> RecordingInfo:
        dropped_video, dropped_audio = self._inbox.dropped()
        segments = self._segments.all()
        timeline = self._timeline
        return RecordingInfo(
            path=segments[0].path if segments else self.path,
            duration_s=timeline.frames / self._fps,
            video_frames=timeline.frames,
            audio_samples=timeline.samples,
            dropped=dropped_video + dropped_audio,
            dropped_video_frames=dropped_video,
            dropped_audio_chunks=dropped_audio,
            late_audio_samples=self._mixer.late_samples,
            segments=tuple(s.path for s in segments),
            party_files=tuple(p for s in segments for p in s.party_paths),
            chapters=tuple(self._chapters),
            gaps=tuple(self._presence.gaps),
            session_start=self.session_start,
            journal=self._journal.path,
        )
