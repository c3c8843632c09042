"""The ``pleadesk`` command: the desktop app, the hub, a station, and the demo session."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from session import loop as station_loop

if TYPE_CHECKING:
    from session.rtc.network import MediaRoute

#: Modules that add their own subcommands with ``register(commands)``.
SUBCOMMAND_MODULES = (
    "desktop.cli.schedule",
    "desktop.cli.audit",
    "desktop.cli.documents",
    "desktop.cli.archive",
    "desktop.cli.recording",
    "desktop.cli.users",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pleadesk", description="Remote plea sessions: call, record, sign, seal."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log in detail")
    commands = parser.add_subparsers(dest="command")

    demo = commands.add_parser("demo", help="run a whole session on this machine")
    demo.add_argument("--out", type=Path, required=True, help="folder for everything made")
    demo.add_argument("--seconds", type=float, default=20.0, help="length of the session")
    demo.add_argument("--headless", action="store_true", help="no windows")
    demo.add_argument(
        "--clapper", action="store_true", help="synthetic flashes and tones to measure sync"
    )

    hub = commands.add_parser("hub", help="run the hub (signaling, state, recorder)")
    hub.add_argument(
        "action", nargs="?", choices=["serve", "init"], default="serve",
        help="serve (default), or init: make the hub's TLS CA and token secret",
    )  # fmt: skip
    hub.add_argument("--host", default="127.0.0.1")
    hub.add_argument("--port", type=int, default=8765)
    hub.add_argument("--data", type=Path, default=Path("pleadesk-hub"), help="store folder")
    hub.add_argument(
        "--insecure-loopback", action="store_true",
        help="serve plain HTTP (on a loopback address only, for trying things out)",
    )  # fmt: skip
    _add_turn_options(hub)

    station = commands.add_parser("station", help="join a session as one party")
    station.add_argument("--hub", required=True, help="hub URL, e.g. https://127.0.0.1:8765")
    station.add_argument("--session", required=True, help="session id")
    station.add_argument(
        "--credentials", type=Path, metavar="FILE",
        help='the account, as JSON {"username", "password"} (default: the environment\'s '
        "PLEADESK_USER and PLEADESK_PASSWORD)",
    )  # fmt: skip
    station.add_argument("--ca", type=Path, help="the hub's CA certificate (for https hubs)")
    station.add_argument("--camera", metavar="SPEC", help="the camera: its index or part of its "
                         "name as 'pleadesk devices' lists it (default: the first)")  # fmt: skip
    station.add_argument("--microphone", metavar="NAME", help="the microphone (default: the first)")
    station.add_argument("--speaker", metavar="NAME", help="the speaker (default: the first)")
    station.add_argument(
        "--synthetic", action="store_true",
        help="a synthetic camera and microphone and no speaker (training, tests)",
    )  # fmt: skip
    station.add_argument("--headless", action="store_true", help="no window")
    station.add_argument(
        "--clapper", action="store_true", help="synthetic clapper media (implies --synthetic)"
    )
    station.add_argument("--case", default="", help="case number (for the scripted signature)")
    station.add_argument(
        "--script", type=float, metavar="SECONDS", help="play the part, a step every SECONDS"
    )
    station.add_argument(
        "--agreement", type=Path, metavar="PDF",
        help="the agreement a scripted prosecutor presents (default: the demo case's)",
    )  # fmt: skip
    _add_turn_options(station)
    for module in SUBCOMMAND_MODULES:
        importlib.import_module(module).register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pleadesk`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    # pyHanko logs a traceback for every certificate it cannot trace to a root; the commands
    # report trust themselves, in words.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    if hasattr(args, "run"):
        return int(args.run(args))
    if args.command == "demo":
        from desktop.demo.run import run_demo

        return run_demo(args.out, args.seconds, headless=args.headless, clapper=args.clapper)
    if args.command == "hub":
        return _hub(args)
    if args.command == "station":
        return _station(args)
    from desktop.station.app import run_app

    return run_app()


def _add_turn_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--turn", metavar="URL", help="relay media through this TURN server (turn:HOST:PORT)"
    )
    command.add_argument("--turn-user", default="", help="the TURN server's user name")
    command.add_argument("--turn-password", default="", help="the TURN server's password")


def _media_route(args: argparse.Namespace) -> MediaRoute:
    """Straight between the parties, or through the TURN server the options name."""
    from session.rtc.network import DIRECT, MediaRoute, TurnServer

    if not args.turn:
        return DIRECT
    return MediaRoute(TurnServer(args.turn, args.turn_user, args.turn_password))


def _hub(args: argparse.Namespace) -> int:
    from session.hub.runner import init_hub, serve_hub

    if args.action == "init":
        try:
            credentials = init_hub(args.data, [args.host, "localhost"])
        except FileExistsError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"Hub prepared in {args.data}. Give every station the CA certificate "
              f"{credentials.ca_certificate} (pleadesk station --ca FILE).")  # fmt: skip
        return 0
    from session.hub.runner import HubRefused

    route = _media_route(args)
    try:  # asyncio's loop: see session.loop
        asyncio.run(serve_hub(args.data, args.host, args.port, route, args.insecure_loopback))
    except HubRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _station(args: argparse.Namespace) -> int:
    from recording.media.devices import DevicesUnavailable
    from session.rtc.network import restrict_media_addresses
    from session.station.clocksync import StationClock
    from session.station.hub_client import HubAnswerError, account_from, own_join
    from session.station.room import open_room
    from session.tls import InsecureHubError, client_context

    restrict_media_addresses()
    route = _media_route(args)
    tls = client_context(args.ca) if args.ca else None
    clock = StationClock()
    room = None  # synthetic devices, made once the role is known
    try:  # the devices first: a station never joins without those it was told to use
        if not (args.synthetic or args.clapper):
            room = open_room("station", clock.now, camera=args.camera,
                             microphone=args.microphone, speaker=args.speaker)  # fmt: skip
    except DevicesUnavailable as exc:
        print(f"the station's devices are not ready: {exc}", file=sys.stderr)
        return 1
    try:
        username, password = account_from(args.credentials)
        join = asyncio.run(own_join(args.hub, args.session, username, password, tls))
    except (HubAnswerError, InsecureHubError, OSError) as exc:
        if room is not None:
            room.close()
        print(f"the station could not join: {exc}", file=sys.stderr)
        return 1
    devices = (room, clock) if room is not None else None
    agreement = args.agreement.read_bytes() if args.agreement else None
    if args.headless:
        from session.station.runner import run_scripted_station

        if args.script is None:
            print("a headless station needs --script", file=sys.stderr)
            return 2
        station_loop.run(
            run_scripted_station(
                args.hub,
                args.session,
                join.role,
                join.token,
                args.script,
                args.case,
                args.ca,
                args.clapper,
                agreement,
                route,
                devices,
            )
        )
        code = 0
    else:
        from desktop.station.app import run_station_window

        code = run_station_window(
            args.hub, args.session, join.role, join.token, args.script, args.case, args.ca,
            agreement, route, devices,
        )  # fmt: skip
    if room is not None:
        room.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
