"""``pleadesk`` subcommands about recordings and capture devices.

- ``pleadesk analyse-sync FILE [FILE ...] [--json] [--limit-ms MS]``: how well picture and
  sound of every party line up in a clapper recording (``pleadesk demo --clapper``).
- ``pleadesk devices [--json]``: the cameras, microphones and speakers this machine offers.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``pleadesk`` subparsers ``commands``."""
    sync = commands.add_parser(
        "analyse-sync",
        help="measure audio/video sync in a clapper recording",
        description=(
            "Finds the clapper's flashes and tones in a recording (the composite, or parties' "
            "own files) and reports each party's audio-video skew, its offset from the session "
            "clock and from the suspect, and the drift over time."
        ),
    )
    sync.add_argument("files", type=Path, nargs="+", metavar="FILE", help="recording file(s)")
    sync.add_argument("--json", action="store_true", help="print the report as JSON")
    sync.add_argument(
        "--party", type=int, metavar="K",
        help="clapper number of the party in a file that does not say (0 suspect, 1 prosecutor, "
        "2 lawyer, ...)",
    )  # fmt: skip
    sync.add_argument(
        "--limit-ms", type=float, metavar="MS",
        help="exit with status 1 if any p95 skew or cross-party offset exceeds MS",
    )  # fmt: skip
    sync.set_defaults(run=run_analyse_sync)

    devices = commands.add_parser("devices", help="list cameras, microphones and speakers")
    devices.add_argument("--json", action="store_true", help="print the list as JSON")
    devices.set_defaults(run=run_devices)


def run_analyse_sync(args: argparse.Namespace) -> int:
    """Run ``analyse-sync``; 0 on success, 1 over the limit, 2 if a file cannot be read."""
    from recording.sync.analysis import SyncAnalysisError, analyse_files

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        report = analyse_files(args.files, party=args.party)
    except SyncAnalysisError as exc:
        print(f"cannot analyse: {exc}", file=sys.stderr)
        return 2
    print(report.to_json() if args.json else report.to_text())
    if args.limit_ms is not None and report.worst_ms() > args.limit_ms:
        print(
            f"sync is off by {report.worst_ms():.1f} ms at p95, over the limit of "
            f"{args.limit_ms:g} ms",
            file=sys.stderr,
        )
        return 1
    return 0


def run_devices(args: argparse.Namespace) -> int:
    """Run ``devices``: list cameras, microphones and speakers, with any warning; always 0."""
    from recording.media.devices import list_cameras, list_microphones, list_speakers

    cameras = list_cameras()
    microphones, problem = list_microphones()
    speakers, _ = list_speakers()
    if args.json:
        print(
            json.dumps(
                {
                    "cameras": [asdict(c) for c in cameras],
                    "microphones": [asdict(m) for m in microphones],
                    "speakers": [asdict(s) for s in speakers],
                    "warnings": [asdict(problem)] if problem else [],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print("cameras:")
    for camera in cameras:
        print(f"  {camera.index}: {camera.name} ({camera.path})")
    if not cameras:
        print("  none found")
    for title, devices in (("microphones", microphones), ("speakers", speakers)):
        print(f"{title}:")
        for device in devices:
            print(f"  {device.index}: {device.name} ({device.channels} channels, "
                  f"{device.default_rate:g} Hz)")  # fmt: skip
        if not devices:
            print("  none found")
    if problem:
        print(f"warning: {problem.message}")
    return 0
