"""The agreement on a party's screen, kept in step with the live session.

"What you see is what you sign": a signer's pad is bound to the SHA-256 of the very PDF bytes
on screen, and those bytes are fetched from the hub, which holds what the prosecutor loaded.
:class:`LiveDocument` decides, on the GUI thread, when to fetch (the prosecutor shows a page of
a document this station does not have, or the agreement is presented and none is on screen),
checks that the bytes shown are the document announced, follows the prosecutor's page, and
opens the pad only while the session is signing and the document checks out. The prosecutor's
station loads the agreement and shares the page it shows. Finished strokes go to the witness
as they are written; the confirmed signature goes to the hub, whose answer is the state moving
on or a refusal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.station.actions import StationActions
from desktop.station.model import StationModel
from desktop.station.page_view_model import PageViewModel
from desktop.station.signature_pad_model import SignaturePadModel
from session.machine import State
from session.messages import MAX_STROKE_POINTS

PRESENTER = "prosecutor"
#: States in which the agreement is on every screen (fetched if a station has none).
AGREEMENT_STATES = frozenset({State.AGREEMENT_PRESENTED, State.SIGNING, State.SIGNED})
#: Refusals that mean the signature just sent did not count: the signer may sign again.
SIGNATURE_REFUSALS = frozenset({"wrong_document", "not_signing", "bad_signature", "wrong_role"})


class LiveDocument(QObject):
    """One party's document and signature pad (``pad`` is None for a party who does not sign)."""

    #: Whether this party's pad takes a signature now.
    signing_changed = Signal(bool)
    #: What the user must know about the document or the signature; "" when nothing is amiss.
    notice_changed = Signal(str)

    def __init__(
        self,
        role: str,
        model: StationModel,
        actions: StationActions,
        pages: PageViewModel,
        pad: SignaturePadModel | None,
    ) -> None:
        super().__init__()
        self.role = role
        self.pages = pages
        self.pad = pad
        self._actions = actions
        self._state = ""
        self._announced = ""  # SHA-256 the prosecutor shows (or the hub took from this station)
        self._wanted_page = 1
        self._generation = 0  # the newest fetch or load; older answers are ignored
        self._busy = False  # a fetch, load or rendering is under way
        self._verified = False  # the document on screen is the one announced
        self._share_when_shown = False  # the prosecutor loaded it here: show it to the others
        self._share_pending = False  # ... but the data channel was not open yet
        self._submitted = False
        self._can_sign = False
        model.state_changed.connect(self._state_changed)
        model.page_shown.connect(self._page_shown)
        model.refused.connect(self._refused)
        pages.document_shown.connect(self._document_shown)
        pages.show_failed.connect(self._show_failed)
        actions.failed.connect(self._action_failed)
        if pad is not None:
            pad.stroke_finished.connect(self._stroke_finished)
            pad.signature_ready.connect(self._signature_ready)

    @property
    def can_sign(self) -> bool:
        """Whether this party's pad takes a signature now."""
        return self._can_sign

    @property
    def presenter(self) -> bool:
        """Whether this party loads the agreement and leads the others through its pages."""
        return self.role == PRESENTER

    # -- what the user does ---------------------------------------------------------------------

    def load_agreement(self, path: Path) -> None:
        """Load the agreement's PDF at ``path`` at the hub and show it (the prosecutor)."""
        if not self.presenter:
            return
        generation = self._begin()
        self._actions.load_agreement(
            path, lambda pdf, sha: self._loaded(generation, pdf, sha), self._undone
        )

    def turn(self, pages: int) -> None:
        """Page forward (``pages`` > 0) or back; the prosecutor shows the others the page."""
        page = self.pages.go_to(self.pages.page + pages)
        if self.presenter and self._verified and page:
            self._actions.show_page(self.pages.sha256, page)

    # -- what the session does ------------------------------------------------------------------

    def _state_changed(self, state: str, _reason: str) -> None:
        self._state = state
        if state in AGREEMENT_STATES and not self.pages.sha256 and not self._busy:
            self._fetch()
        if self._share_pending and self._verified and self._actions.sharing:
            self._share_pending = False
            self._actions.show_page(self.pages.sha256, self.pages.page)
        self._update_signing()

    def _page_shown(self, sha256: str, page: int, role: str) -> None:
        if role != PRESENTER or self.presenter:
            return
        self._wanted_page = page
        if sha256 == self.pages.sha256 and self._verified:
            self.pages.go_to(page)
        elif sha256 != self._announced or not self._busy:
            self._announced = sha256
            self._fetch()

    def _refused(self, code: str, message: str) -> None:
        if code in SIGNATURE_REFUSALS and self._submitted:
            self._submitted = False
            self.notice_changed.emit(message)
            self._update_signing()

    def _action_failed(self, _message: str) -> None:
        if self._submitted:  # the signature did not leave: let the signer send it again
            self._submitted = False
            self._update_signing()

    # -- fetching, loading, checking -----------------------------------------------------------

    def _begin(self) -> int:
        self._generation += 1
        self._busy = True
        return self._generation

    def _fetch(self) -> None:
        generation = self._begin()
        self._actions.fetch_agreement(lambda pdf: self._fetched(generation, pdf), self._undone)

    def _fetched(self, generation: int, pdf: bytes) -> None:
        if generation == self._generation:
            self.pages.show_pdf(pdf)

    def _loaded(self, generation: int, pdf: bytes, sha256: str) -> None:
        if generation == self._generation:
            self._announced, self._wanted_page, self._share_when_shown = sha256, 1, True
            self.pages.show_pdf(pdf)

    def _undone(self) -> None:
        self._busy = False

    def _document_shown(self, sha256: str, _count: int) -> None:
        self._busy = False
        self._verified = not self._announced or sha256 == self._announced
        if not self._verified:
            self.notice_changed.emit(
                self.tr(
                    "The document received (SHA-256 %1) is not the one the prosecutor shows "
                    "(%2). It cannot be signed; ask the prosecutor to show it again."
                )
                .replace("%1", sha256[:16] + "…")
                .replace("%2", self._announced[:16] + "…")
            )
            self._bind("")
            self._update_signing()
            return
        self.notice_changed.emit("")
        self._bind(sha256)
        self.pages.go_to(self._wanted_page)
        if self._share_when_shown:
            self._share_when_shown = False
            if self._actions.sharing:
                self._actions.show_page(sha256, self.pages.page)
            else:
                self._share_pending = True
        self._update_signing()

    def _show_failed(self, _message: str) -> None:
        self._busy = False
        self._verified = False
        self._bind("")
        self._update_signing()

    def _bind(self, sha256: str) -> None:
        if self.pad is not None and self.pad.document_sha256 != sha256:
            self.pad.set_document(sha256)

    # -- signing --------------------------------------------------------------------------------

    def _update_signing(self) -> None:
        can_sign = (
            self.pad is not None
            and self._state == State.SIGNING
            and self._verified
            and bool(self.pages.sha256)
            and not self._submitted
        )
        if can_sign != self._can_sign:
            self._can_sign = can_sign
            self.signing_changed.emit(can_sign)

    def _stroke_finished(self, width: int, height: int, points: list[list[float]]) -> None:
        if not self._can_sign or not self._actions.sharing:
            return  # nobody to show it to yet; the signature itself reports a lost connection
        for start in range(0, len(points), MAX_STROKE_POINTS):
            self._actions.draw_stroke(width, height, points[start : start + MAX_STROKE_POINTS])

    def _signature_ready(self, signature: dict[str, Any]) -> None:
        if not self._can_sign or signature.get("document_sha256") != self.pages.sha256:
            return
        self._submitted = True
        self._actions.submit_signature(signature)
        if self._submitted:  # not undone at once by a closed channel
            self.notice_changed.emit(self.tr("Your signature was sent to the hub."))
        self._update_signing()
