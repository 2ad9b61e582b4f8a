"""settings.toml: new items per day and desired retention, refused clearly when wrong."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.errors import DataError
from studyapp.schedule import Rating
from studyapp.settings import Settings, load_settings

from .conftest import RunStudyapp, assert_no_traceback


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings(new_items_per_day=20, desired_retention=0.9)


def test_values_are_read(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(
        "# mine\nnew_items_per_day = 5\ndesired_retention = 0.85\n", encoding="utf-8"
    )
    assert load_settings(tmp_path) == Settings(new_items_per_day=5, desired_retention=0.85)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("new_items_per_dya = 5\n", "unknown setting 'new_items_per_dya'"),
        ("new_items_per_day = -1\n", "new_items_per_day must be a whole number"),
        ("new_items_per_day = 2.5\n", "new_items_per_day must be a whole number"),
        ("new_items_per_day = true\n", "new_items_per_day must be a whole number"),
        ("desired_retention = 1.5\n", "desired_retention must be a number from 0.5 to 0.99"),
        ("desired_retention = 'high'\n", "desired_retention must be a number"),
        ("new_items_per_day = \n", "Invalid value"),
        ('sync_folder = "~nosuchuser-studyapp/x"\n',
         "sync_folder ~nosuchuser-studyapp/x: cannot expand '~' (no such user or home folder)"),
    ],
)
def test_mistakes_are_refused_naming_the_file(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_higher_retention_means_shorter_intervals() -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)

    def interval_after_three_goods(retention: float) -> timedelta:
        scheduler = Settings(desired_retention=retention).scheduler()
        state = None
        moment = now
        for _ in range(3):
            state = scheduler.apply(state, Rating.GOOD, moment)
            moment = state.due
        assert state is not None
        return scheduler.preview(state, moment)[Rating.GOOD]

    assert interval_after_three_goods(0.95) < interval_after_three_goods(0.8)


def test_review_plain_introduces_only_the_daily_new_items(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    (data_dir / "settings.toml").write_text("new_items_per_day = 2\n", encoding="utf-8")
    result = run_studyapp("review", "wavenet", "--plain", input="\n3\n\n3\n\n3\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("wavenet: 2 items to review")
    # the third rating is the first item again, back from its 10-minute learning step
    assert sum(line.startswith("saved: ") for line in lines) == 3
    headers = [n for n, line in enumerate(lines) if re.match(r"^\d+/\d+\. ", line)]
    assert len({lines[n + 1] for n in headers}) == 2
    assert lines[-1] == "reviewed: 3"


def test_a_broken_settings_file_is_one_line(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    (data_dir / "settings.toml").write_text("desired_retention = 2\n", encoding="utf-8")
    result = run_studyapp("review", "wavenet", "--plain", input="")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr.count("\n") == 1
    assert "settings.toml: desired_retention must be a number from 0.5 to 0.99" in result.stderr
