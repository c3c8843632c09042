"""Errors of the evidence archive, each with a message an evidence clerk can act on.

:class:`ArchiveError` is the base of every archive failure (encryption, bags, disc images,
sealing, burning, custody); the rest of this module are the age encryption failures.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every evidence-archive error (encryption, bag, disc image, sealing)."""


class InvalidKeyError(ArchiveError):
    """A recipient (``age1...``) or identity (``AGE-SECRET-KEY-1...``) string is malformed."""


class IdentityFileError(ArchiveError):
    """A key file is missing, unreadable, malformed, or would be overwritten."""


class NotAgeFileError(ArchiveError):
    """The file is not an age-encrypted file at all."""


class NoMatchingIdentityError(ArchiveError):
    """None of the given keys can open the file (wrong key)."""


class DamagedFileError(ArchiveError):
    """The encrypted file is damaged: cut short or altered. Use another copy."""


class TruncatedFileError(DamagedFileError):
    """The encrypted file ends early (an interrupted copy or a bad disc read)."""


class AlteredFileError(DamagedFileError):
    """The header MAC or a chunk's authentication tag does not match: the bytes were changed."""
