"""TESTS ONLY: a predictor whose jobs a test can hold at a sliding window (``VOXTELL_TEST_HOLD_DIR``).

The browser tests need a job caught part-way — progress shown, an ETA shown, a cancel while it
runs — without depending on how slow the model is. :class:`HeldPredictor` wraps the real
predictor: before each window is reported to the job (``progress_callback(done, total)``) it
waits while the file ``<dir>/hold`` exists. The file may hold a whole number *n*: then the first
*n* windows pass and the job waits before reporting window *n* + 1 (an empty file holds every
window). The test removes the file (or writes a larger *n*) to let the job go on.

While a window is held the job stays honest:

* the job's own callback is asked again every ``recheck_s`` with the last (done, total) it was
  given: its ``False`` (a cancel, the job's time limit) ends the hold and cancels the job, and the
  job's progress streams are woken so the server's ETA reaches the browser;
* a hold longer than ``max_hold_s`` fails the job (:class:`HoldTimedOut`, in the server log): a
  test that forgets its hold file fails loudly instead of going on as if nothing were held.

Never used by a deployed server: ``voxtell-web serve`` (``backend.cli``) hands
:func:`held_factory` to ``create_app`` only when ``settings.test_hold_dir``
(``VOXTELL_TEST_HOLD_DIR``) is set, in embedded mode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backend.domain.model import Predictor, default_predictor
from backend.settings import Settings

logger = logging.getLogger("backend")

HOLD_FILE = "hold"
POLL_S = 0.05


class HoldTimedOut(RuntimeError):
    """A job was held longer than the hold's time limit (the test never released it)."""


class HeldPredictor:
    """``predictor`` with jobs that wait before each window while ``<hold_dir>/hold`` exists."""

    def __init__(self, predictor: Predictor, hold_dir: Path, *, max_hold_s: float = 120.0,
                 recheck_s: float = 0.5, poll_s: float = POLL_S) -> None:
        self.predictor = predictor
        self.hold_file = Path(hold_dir) / HOLD_FILE
        self.max_hold_s = max_hold_s
        self.recheck_s = recheck_s
        self.poll_s = poll_s

    # The executor sets these on the predictor it holds: they must reach the wrapped one.
    @property
    def notice_callback(self) -> Callable[[str], None] | None:
        return self.predictor.notice_callback

    @notice_callback.setter
    def notice_callback(self, callback: Callable[[str], None] | None) -> None:
        self.predictor.notice_callback = callback

    @property
    def phase_callback(self) -> Callable[[str], None] | None:
        return self.predictor.phase_callback

    @phase_callback.setter
    def phase_callback(self, callback: Callable[[str], None] | None) -> None:
        self.predictor.phase_callback = callback

    @property
    def is_demo(self) -> bool:
        return self.predictor.is_demo

    def info(self) -> dict[str, Any]:
        return self.predictor.info()

    def vocabulary(self) -> list[str]:
        return self.predictor.vocabulary()

    def __getattr__(self, name: str) -> Any:  # anything else the wrapped predictor has (tile_step_size)
        if name == "predictor":  # not set yet (copying): never recurse
            raise AttributeError(name)
        return getattr(self.predictor, name)

    def predict_single_image(self, data: Any, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None, tile_step_size: float | None = None) -> Any:
        extra = {"tile_step_size": tile_step_size} if tile_step_size is not None else {}  # fakes may omit it
        return self.predictor.predict_single_image(data, text_prompts=text_prompts, text_embeddings=text_embeddings,
                                                   progress_callback=self._held(progress_callback), **extra)

    def held_after(self) -> int | None:
        """``None`` while no hold file exists, else how many windows pass before the hold (0: none)."""
        try:
            text = self.hold_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError:  # being written or replaced right now: still a hold
            return 0
        try:
            return max(0, int(text)) if text else 0
        except ValueError:
            return 0

    def _held(self, callback: Callable[[int, int], object] | None) -> Callable[[int, int], object]:
        last: list[tuple[int, int]] = []  # the last (done, total) the job's callback was given

        def progress(done: int, total: int) -> object:
            started = time.monotonic()
            next_check = started + self.recheck_s
            logged = False
            while True:
                after = self.held_after()
                if after is None or done <= after:
                    break
                if not logged:
                    logger.warning("TESTS ONLY: job held before window %d of %d while %s exists",
                                   done, total, self.hold_file)
                    logged = True
                now = time.monotonic()
                if now - started > self.max_hold_s:
                    message = (f"TESTS ONLY: a job was held before window {done} of {total} for more than "
                               f"{self.max_hold_s:g} s ({self.hold_file} was never removed); failing it")
                    logger.error(message)
                    raise HoldTimedOut(message)
                if callback is not None and now >= next_check:
                    # Ask the job again (a cancel, its time limit) with what it already knows.
                    previous = last[-1] if last else (0, total)
                    if callback(*previous) is False:
                        logger.warning("TESTS ONLY: a held job was stopped by its callback (cancelled)")
                        return False
                    next_check = now + self.recheck_s
                time.sleep(self.poll_s)
            if callback is None:
                return None
            last.append((done, total))
            del last[:-1]
            return callback(done, total)

        return progress


def held_factory(hold_dir: Path, base: Callable[[Settings], Predictor] = default_predictor,
                 **options: float) -> Callable[[Settings], Predictor]:
    """A predictor factory for ``create_app``: ``base``'s predictor, held through ``hold_dir``."""

    def factory(settings: Settings) -> Predictor:
        logger.warning("TESTS ONLY: jobs pause before each window while %s exists", Path(hold_dir) / HOLD_FILE)
        return HeldPredictor(base(settings), hold_dir, **options)

    return factory
