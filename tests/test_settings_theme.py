"""`theme` in settings.toml: read, refused in one line when wrong, written keeping the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.errors import DataError
from studyapp.settings import load_settings, save_setting


def test_the_default_theme_and_a_saved_one(data_dir: Path) -> None:
    assert load_settings(data_dir).theme == "textual-dark"
    save_setting(data_dir, "theme", "textual-light")
    assert (data_dir / "settings.toml").read_text(encoding="utf-8") == 'theme = "textual-light"\n'
    assert load_settings(data_dir).theme == "textual-light"


def test_saving_keeps_other_keys_comments_and_the_comment_on_its_own_line(
    data_dir: Path,
) -> None:
    path = data_dir / "settings.toml"
    path.write_text('# mine\nnew_items_per_day = 5  # five\ntheme = "textual-dark"  # dark\n'
                    "learn_ahead_minutes = 0\n", encoding="utf-8")
    save_setting(data_dir, "theme", "textual-light")
    assert path.read_text(encoding="utf-8") == (
        '# mine\nnew_items_per_day = 5  # five\ntheme = "textual-light"  # dark\n'
        "learn_ahead_minutes = 0\n"
    )
    settings = load_settings(data_dir)
    assert (settings.theme, settings.new_items_per_day) == ("textual-light", 5)


@pytest.mark.parametrize("value", ["3", '"Not A Theme!"', "[]"])
def test_a_wrong_theme_is_refused_in_one_line(data_dir: Path, value: str) -> None:
    (data_dir / "settings.toml").write_text(f"theme = {value}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_settings(data_dir)
    message = str(caught.value)
    assert "\n" not in message and "settings.toml: theme must be" in message
