"""Legal documents: the plea agreement, the rights notice and the recording statement.

What lives here:

- the documents as validated data (``agreement``, ``sentencing``, ``notice``, ``statement``,
  ``kinds``, ``checks``, ``chinese``), handwriting (``signature``) and fingerprints
  (``fingerprint``), and ``session_documents``, which makes a finished session's documents.
- ``pdf/``: rendering them (and the disc label) as A4 PDFs with the shipped CJK font, and
  page images for the screens.
- ``signing/``: PAdES signing, certificates, RFC 3161 timestamps, verification, and the one
  module touching pyHanko's internals.
- ``samples/``: the demo's case and synthetic handwriting, for the demo and the tests only.

May import: nothing of ``session``, ``recording`` or ``desktop`` (import contracts in
pyproject.toml).
"""
