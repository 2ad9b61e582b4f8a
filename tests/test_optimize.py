"""`studyapp optimize`: fitting FSRS parameters to a simulated learner, Anki's keep rules,
the saved parameters used by the scheduler from then on, and the command's report."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs_rs_python
import pytest

from studyapp.optimize import FULL_FIT_REVIEWS, MIN_REVIEWS, optimize, training_items
from studyapp.parameters import PARAMETERS_NAME, load_parameters
from studyapp.schedule import Rating, default_parameters
from studyapp.settings import load_settings
from studyapp.store import Identity, ReviewStore
from tests.conftest import RunStudyapp, assert_no_traceback

#: The simulated learner remembers far better after a first rating than the defaults say.
TRUE_PARAMETERS = (2.5, 6.0, 15.0, 40.0, *default_parameters()[4:20], 0.3)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _recall_probability(elapsed_days: float, stability: float, decay: float) -> float:
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed_days / stability) ** -decay)


def simulate_learner(
    data_dir: Path, *, items: int, days: int, new_per_day: int, seed: int
) -> int:
    """A learner whose memory follows FSRS with `TRUE_PARAMETERS`, studying every day with
    the app's default scheduler, for `days` days. Returns how many ratings were saved."""
    rng = random.Random(seed)
    truth = fsrs_rs_python.FSRS(list(TRUE_PARAMETERS))
    decay = TRUE_PARAMETERS[20]
    memory: dict[str, fsrs_rs_python.MemoryState | None] = {}
    last_seen: dict[str, datetime] = {}
    due: dict[str, datetime] = {}
    saved = 0
    with ReviewStore.open(data_dir, now=START, tz=UTC) as store:
        for day in range(days):
            session = START + timedelta(days=day)
            for number in range(new_per_day):
                index = day * new_per_day + number
                if index < items:
                    due[f"i{index:04d}"] = session
            clock = session
            while True:
                ready = [i for i, d in due.items() if d <= clock + timedelta(minutes=20)]
                if not ready or clock > session + timedelta(hours=2):
                    break
                item = min(ready, key=lambda i: (due[i], i))
                clock = max(clock, due[item]) + timedelta(seconds=15)
                state = memory.get(item)
                if state is None:
                    rating = rng.choices((1, 2, 3, 4), weights=(2, 1, 6, 1))[0]
                    elapsed_days = 0
                else:
                    elapsed = (clock - last_seen[item]).total_seconds() / 86400
                    elapsed_days = (clock.date() - last_seen[item].date()).days
                    if rng.random() < _recall_probability(elapsed, state.stability, decay):
                        rating = rng.choices((2, 3, 4), weights=(1, 8, 1))[0]
                    else:
                        rating = 1
                following = truth.next_states(state, 0.9, elapsed_days)
                memory[item] = (following.again, following.hard, following.good,
                                following.easy)[rating - 1].memory
                last_seen[item] = clock
                result = store.record_review(Identity("deck", item), "card", rating, clock)
                due[item] = result.due
                saved += 1
    return saved


@pytest.fixture(scope="module")
def learner_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year of reviews of 200 items by the simulated learner (made once for the module)."""
    folder = tmp_path_factory.mktemp("learner") / "data"
    simulate_learner(folder, items=200, days=365, new_per_day=4, seed=15)
    return folder


def test_optimize_predicts_the_simulated_learner_better_than_the_defaults(
    learner_year: Path, tmp_path: Path
) -> None:
    with ReviewStore.open(learner_year, readonly=True, tz=UTC) as store:
        result = optimize(store, tmp_path, save=False)
    assert result.reviews >= FULL_FIT_REVIEWS
    assert result.fit == "full"
    assert result.outcome == "kept-new"
    assert result.old_parameters == default_parameters()
    assert result.old_scores is not None and result.new_scores is not None
    print(f"\nreviews used {result.reviews}; defaults: log loss {result.old_scores.log_loss:.4f}"
          f" RMSE {result.old_scores.rmse:.4f}; fitted: log loss "
          f"{result.new_scores.log_loss:.4f} RMSE {result.new_scores.rmse:.4f}")
    print("fitted", [round(v, 4) for v in result.parameters])
    assert result.new_scores.log_loss < result.old_scores.log_loss
    assert result.new_scores.rmse < result.old_scores.rmse
    # The learner's first-rating stabilities are far above the defaults: the fit sees that.
    assert result.parameters[2] > 2 * default_parameters()[2]


def test_kept_parameters_are_saved_and_used_by_the_scheduler(
    learner_year: Path, tmp_path: Path
) -> None:
    with ReviewStore.open(learner_year, readonly=True, tz=UTC) as store:
        first = optimize(store, tmp_path)
        assert first.outcome == "kept-new"
        assert load_parameters(tmp_path) == first.parameters
        scheduler = load_settings(tmp_path).scheduler()
        assert scheduler.config.parameters == first.parameters
        good = scheduler.apply(None, Rating.GOOD, START)
        default_good = load_settings(tmp_path / "elsewhere").scheduler().apply(
            None, Rating.GOOD, START)
        # Graduating a new item takes the learning steps either way; what changes is the
        # stability, and so the interval after graduation.
        assert good.stability == pytest.approx(first.parameters[2], rel=1e-3)
        assert default_good.stability == pytest.approx(default_parameters()[2], rel=1e-3)
        # A second run starts from the saved parameters and does not replace them by a fit
        # that is not better on both scores.
        second = optimize(store, tmp_path)
    assert second.old_parameters == first.parameters
    if second.outcome == "kept-old":
        assert load_parameters(tmp_path) == first.parameters


def _record(store: ReviewStore, item: str, ratings: list[tuple[int, int]]) -> None:
    for day, rating in ratings:
        store.record_review(Identity("d", item), "card", rating, START + timedelta(days=day))


def test_too_few_reviews_keep_the_defaults(data_dir: Path) -> None:
    with ReviewStore.open(data_dir, now=START, tz=UTC) as store:
        for n in range(MIN_REVIEWS - 1):
            _record(store, f"q{n}", [(0, 3), (3, 3)])
        assert len(training_items(store)) == MIN_REVIEWS - 1
        result = optimize(store, data_dir)
    assert result.outcome == "too-few-reviews"
    assert result.new_parameters is None
    assert not (data_dir / PARAMETERS_NAME).exists()


def test_a_small_history_fits_only_the_initial_stabilities(data_dir: Path) -> None:
    rng = random.Random(3)
    with ReviewStore.open(data_dir, now=START, tz=UTC) as store:
        for n in range(60):
            second = 3 if rng.random() < 0.9 else 1
            _record(store, f"q{n}", [(0, (3, 3, 1, 4)[n % 4]), ((2, 4, 7)[n % 3], second)])
        result = optimize(store, data_dir, save=False)
    assert result.reviews == 60 < FULL_FIT_REVIEWS
    assert result.fit == "initial"
    assert result.new_parameters is not None
    assert result.new_parameters[4:] == pytest.approx(default_parameters()[4:])
    assert result.new_parameters[:4] != pytest.approx(default_parameters()[:4])


def test_same_day_ratings_and_undone_ones_are_not_training_reviews(data_dir: Path) -> None:
    with ReviewStore.open(data_dir, now=START, tz=UTC) as store:
        store.record_review(Identity("d", "a"), "card", 1, START)
        store.record_review(Identity("d", "a"), "card", 3, START + timedelta(minutes=10))
        store.record_review(Identity("d", "a"), "card", 3, START + timedelta(days=2))
        undone = store.record_review(Identity("d", "a"), "card", 3, START + timedelta(days=5))
        store.undo_review(undone.review_id)
        items = training_items(store)
    assert len(items) == 1
    # the bindings expose a review only through its repr
    assert [repr(r) for r in items[0].reviews] == [
        "FSRSReview { rating: 1, delta_t: 0 }",
        "FSRSReview { rating: 3, delta_t: 0 }",
        "FSRSReview { rating: 3, delta_t: 2 }",
    ]


def test_optimize_command_reports_json(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    simulate_learner(data_dir, items=60, days=120, new_per_day=3, seed=7)
    result = run_studyapp("optimize", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["reviews"] >= FULL_FIT_REVIEWS
    assert len(report["old_parameters"]) == 21 and len(report["new_parameters"]) == 21
    assert set(report["old_scores"]) == {"log_loss", "rmse"}
    assert set(report["new_scores"]) == {"log_loss", "rmse"}
    if report["kept"] == "new":
        saved = json.loads((data_dir / PARAMETERS_NAME).read_text())["parameters"]
        assert saved == report["new_parameters"]
        assert report["new_scores"]["log_loss"] < report["old_scores"]["log_loss"]
    else:
        assert not (data_dir / PARAMETERS_NAME).exists()


def test_optimize_command_without_history(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("optimize")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "reviews used: 0",
        "too few reviews to fit parameters: keeping the current parameters",
    ]


def test_a_broken_parameters_file_is_one_line(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    (data_dir / PARAMETERS_NAME).write_text('{"parameters": [1, 2]}')
    result = run_studyapp("optimize")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert PARAMETERS_NAME in result.stderr and "21 numbers" in result.stderr


def test_without_the_optional_package_optimize_says_how_to_get_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from studyapp.cli import main

    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # as if it were not installed
    assert main(["--data-dir", str(data_dir), "optimize"]) == 1
    assert capsys.readouterr().err == (
        "studyapp: optimize needs the optional package fsrs-rs-python: "
        "pip install 'studyapp[optimize]'\n"
    )
    # ... and everything else schedules without it
    assert main(["--data-dir", str(data_dir), "stats", "--json"]) == 0
