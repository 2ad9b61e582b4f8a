"""Fit FSRS parameters to a data folder's own review history (`studyapp optimize`).

The fitting is done by `fsrs-rs-python` (the Rust FSRS that Anki uses; the optional extra
``studyapp[optimize]``), following Anki's rules:

* Each rating of an item on a later study day than its previous rating is one training
  review (same-day learning steps are part of the history but not predicted).
* Fewer than `MIN_REVIEWS` training reviews: nothing is fitted, the parameters stay.
* Fewer than `FULL_FIT_REVIEWS`: only the first four parameters (the initial stabilities
  after a first rating of again, hard, good, easy) are taken from the fit; the rest stay.
* The fitted parameters are kept only when they predict the history better than the
  parameters in use, by log loss and by RMSE (binned) both.

Nothing here prints; `studyapp.cli` reports the `OptimizeResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from studyapp.errors import DataError
from studyapp.parameters import load_parameters, save_parameters
from studyapp.schedule import default_parameters, parameter_bounds

if TYPE_CHECKING:
    import fsrs_rs_python

    from studyapp.store import ReviewStore

__all__ = [
    "FULL_FIT_REVIEWS",
    "MIN_REVIEWS",
    "OptimizeResult",
    "Scores",
    "optimize",
    "training_items",
]

#: Below this many training reviews nothing is fitted (fsrs-rs's own floor).
MIN_REVIEWS = 8
#: Below this many, only the initial stabilities are fitted (as fsrs-rs and Anki do).
FULL_FIT_REVIEWS = 64
#: How many leading parameters a small history may change.
INITIAL_PARAMETERS = 4

Outcome = Literal["too-few-reviews", "kept-old", "kept-new"]


@dataclass(frozen=True)
class Scores:
    """How well some parameters predict the history (lower is better)."""

    log_loss: float
    rmse: float

    def as_dict(self) -> dict[str, float]:
        """For ``--json``."""
        return {"log_loss": self.log_loss, "rmse": self.rmse}


@dataclass(frozen=True)
class OptimizeResult:
    """What `optimize` did: the reviews it used, both parameter sets and their scores."""

    reviews: int
    outcome: Outcome
    fit: Literal["none", "initial", "full"]
    old_parameters: tuple[float, ...]
    new_parameters: tuple[float, ...] | None
    old_scores: Scores | None
    new_scores: Scores | None

    @property
    def parameters(self) -> tuple[float, ...]:
        """The parameters in use from now on."""
        if self.outcome == "kept-new" and self.new_parameters is not None:
            return self.new_parameters
        return self.old_parameters

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` report."""
        return {
            "reviews": self.reviews,
            "outcome": self.outcome,
            "fit": self.fit,
            "kept": "new" if self.outcome == "kept-new" else "old",
            "old_parameters": list(self.old_parameters),
            "new_parameters": None if self.new_parameters is None else list(self.new_parameters),
            "old_scores": None if self.old_scores is None else self.old_scores.as_dict(),
            "new_scores": None if self.new_scores is None else self.new_scores.as_dict(),
            "parameters": list(self.parameters),
        }


def _fsrs_rs() -> Any:
    try:
        import fsrs_rs_python
    except ImportError:
        raise DataError(
            "optimize needs the optional package fsrs-rs-python: "
            "pip install 'studyapp[optimize]'"
        ) from None
    return fsrs_rs_python


def training_items(store: ReviewStore) -> list[fsrs_rs_python.FSRSItem]:
    """The store's history as fsrs-rs training items: one per rating on a later study day
    than the item's previous rating, holding the item's ratings up to it. Elapsed time is
    counted in study days, as Anki does."""
    rs = _fsrs_rs()
    items: list[fsrs_rs_python.FSRSItem] = []
    for _identity, group in groupby(store.rating_history(), key=itemgetter(0)):
        reviews: list[fsrs_rs_python.FSRSReview] = []
        previous_day = None
        for _ident, when, rating in group:
            day = store.study_day(when)
            delta = 0 if previous_day is None else (day - previous_day).days
            previous_day = day
            reviews.append(rs.FSRSReview(int(rating), max(0, delta)))
            if len(reviews) > 1 and delta > 0:
                items.append(rs.FSRSItem(list(reviews)))
    return items


def _clamped(values: Sequence[float]) -> tuple[float, ...]:
    low, high = parameter_bounds()
    return tuple(min(max(float(v), lo), hi) for v, lo, hi in zip(values, low, high, strict=True))


def _scores(items: Sequence[fsrs_rs_python.FSRSItem], parameters: Sequence[float]) -> Scores:
    rs = _fsrs_rs()
    evaluation = rs.FSRS(list(parameters)).evaluate(list(items))
    return Scores(log_loss=float(evaluation.log_loss), rmse=float(evaluation.rmse_bins))


def optimize(store: ReviewStore, data_dir: Path, *, save: bool = True) -> OptimizeResult:
    """Fit parameters to `store`'s history and, if they predict it better than the ones in
    use (`data_dir`'s saved parameters, else the defaults), save them in `data_dir`."""
    rs = _fsrs_rs()
    old = load_parameters(data_dir) or default_parameters()
    items = training_items(store)
    if len(items) < MIN_REVIEWS:
        return OptimizeResult(len(items), "too-few-reviews", "none", old, None, None, None)
    fitted = rs.FSRS(list(old)).compute_parameters(list(items))
    if len(items) < FULL_FIT_REVIEWS:
        fit: Literal["initial", "full"] = "initial"
        new = _clamped([*fitted[:INITIAL_PARAMETERS], *old[INITIAL_PARAMETERS:]])
    else:
        fit = "full"
        new = _clamped(fitted)
    old_scores, new_scores = _scores(items, old), _scores(items, new)
    better = new_scores.log_loss < old_scores.log_loss and new_scores.rmse < old_scores.rmse
    result = OptimizeResult(
        len(items), "kept-new" if better else "kept-old", fit, old, new, old_scores, new_scores
    )
    if better and save:
        save_parameters(
            data_dir,
            new,
            {
                "optimized_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "reviews": len(items),
                "log_loss": new_scores.log_loss,
                "rmse": new_scores.rmse,
            },
        )
    return result
