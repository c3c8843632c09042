"""An IP camera on 127.0.0.1: a test pattern served over RTSP by GStreamer's RTSP server.

Run by Debian's own Python, which has GStreamer's bindings (``python3-gst-1.0``,
``gir1.2-gst-rtsp-server-1.0``): ``/usr/bin/python3 rtsp_camera.py PORT`` serves
``rtsp://127.0.0.1:PORT/camera``, H.264, 640x480 at 15 pictures a second. :class:`RtspCamera`
starts and stops it from a test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

SYSTEM_PYTHON = "/usr/bin/python3"


class RtspCamera:
    """The camera served from a process of its own on ``port`` (a free one by default)."""

    def __init__(self, port: int | None = None) -> None:
        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        self.port = port
        self.url = f"rtsp://127.0.0.1:{port}/camera"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Serve (again)."""
        self.process = subprocess.Popen(
            [SYSTEM_PYTHON, __file__, str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    "the RTSP camera did not start: ./dev setup installs GStreamer's RTSP server"
                )
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving (the camera unplugged, its server gone)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _serve(port: str) -> None:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        "( videotestsrc is-live=true pattern=smpte ! video/x-raw,format=I420,width=640,"
        "height=480,framerate=15/1 ! x264enc tune=zerolatency speed-preset=ultrafast "
        "bitrate=800 key-int-max=15 ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory("/camera", factory)
    server.attach(None)
    GLib.MainLoop().run()


if __name__ == "__main__":
    _serve(sys.argv[1])
