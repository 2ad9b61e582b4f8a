"""The TUI with `sync_folder` in settings.toml: the header says when the last sync was, and
the command palette's Sync exchanges reviews through the folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from studyapp.settings import load_settings
from studyapp.store import Identity, ReviewStore
from studyapp.sync import SYNC_DIR, device_id
from studyapp.tui.app import create_app

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _library(root: Path) -> Path:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "tiny.yaml").write_text(
        "id: tiny\ntitle: Tiny\ncards:\n  - {id: one, front: One?, back: Uno.}\n", "utf-8"
    )
    return root


async def test_the_sync_action_syncs_and_the_header_says_when(
    tmp_path: Path, data_dir: Path
) -> None:
    library = _library(tmp_path / "lib")
    shared = tmp_path / "shared"
    shared.mkdir()
    (data_dir / "settings.toml").write_text(f'sync_folder = "{shared}"\n', "utf-8")
    with ReviewStore.open(data_dir, now=NOW) as store:
        store.record_review(Identity("tiny", "one"), "card", 3, NOW)
    app = create_app(library, data_dir, clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.store is not None
        assert app.sub_title.endswith("· never synced")
        assert "Sync" in [command.title for command in app.get_system_commands(app.screen)]
        app.action_sync()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sub_title.endswith(f"· synced {NOW.astimezone().strftime('%Y-%m-%d %H:%M')}")
    events = (shared / SYNC_DIR / f"{device_id(data_dir)}.events").read_bytes()
    assert events.count(b"\n") == 1 and b'"item":"one"' in events


async def test_without_a_sync_folder_there_is_no_sync_action(
    tmp_path: Path, data_dir: Path
) -> None:
    app = create_app(_library(tmp_path / "lib"), data_dir, clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.store is not None
        assert "synced" not in app.sub_title
        assert "Sync" not in [command.title for command in app.get_system_commands(app.screen)]


def test_a_relative_sync_folder_is_under_the_data_folder(data_dir: Path) -> None:
    (data_dir / "settings.toml").write_text('sync_folder = "shared"\n', "utf-8")
    assert load_settings(data_dir).sync_folder == data_dir / "shared"
