"""Recording and evidence: the live half (capture, the recorder, sync) and the archive.

What lives here:

- ``media/``: capture devices, synthetic cameras and microphones, capture stamps, the clapper
  protocol, pictures as I420, VP8 settings.
- ``recorder/``: the composite recorder: the parties' frames placed on one timeline,
  composited, mixed, muxed into crash-safe Matroska segments with a journal.
- ``sync/``: measuring how well a recording keeps picture and sound together (the clapper).
- ``archive/``: the evidence archive: age encryption, BagIt bags and their seal, the custody
  log, disc plans, images, burning, read-back, the clerk's queue and desk.

May import: nothing of ``session``, ``documents`` or ``desktop``. Inside, ``sync`` may use
``recorder`` and ``media``, ``recorder`` may use ``media``; ``archive`` and the live half use
nothing of each other (import contracts in pyproject.toml).
"""
