"""The session engine: the hub, its stations, the state machine, and the close-out.

What lives here:

- ``machine``, ``messages``, ``clock``, ``loop``, ``tls``, ``database``: what the hub and the
  stations share (the lawful order of a session as a table, the signaling messages, clocks,
  the event loop, TLS under the hub's own certificate authority, the SQLite engine).
- ``accounts/``: sites and accounts, argon2id passwords, signing in and out, lockout.
- ``hub/``: the hub's server, who may do what (``access``, ``permissions``), each live
  session, its store, audit trail, join tokens, the feed to the recorder and the API's OpenAPI
  description; ``hub/runner.py`` composes a hub with the composite recorder.
- ``station/``: a party's station engine, its session clock, the scripted parts of the demo.
- ``rtc/``: WebRTC: the media mesh, the shared encoders, where media may flow (``MediaRoute``),
  a bad network on one machine for tests, and the one module touching aiortc's internals.
- ``scheduling/``: the day's plan of rooms and people, 提押/还押.
- ``closeout``: a closed session's documents and sealed archive.

May import: ``recording`` and ``documents`` (below it); never ``desktop`` or Qt. A live session
reaches its recorder only through the factory the hub is given (import contracts in
pyproject.toml).
"""
