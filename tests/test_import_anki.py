"""Importing Anki packages made by the real Anki library (tests/fixtures/anki/make_packages.py):
decks, text, tags, note types, media and the review history replayed into our store."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from studyapp.deck.loader import load_library
from studyapp.deck.models import Card, Question
from studyapp.errors import DataError
from studyapp.formats.anki import import_anki, read_anki
from studyapp.schedule import Phase
from studyapp.store import Identity, ReviewStore

from .conftest import FIXTURES, RunStudyapp, assert_no_traceback

ANKI = FIXTURES / "anki"
REAL_ANKI_PACKAGES = [ANKI / "new-format.apkg", ANKI / "legacy-format.apkg",
                      ANKI / "collection.colpkg"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def cards_by_id(library: Path, deck_id: str) -> dict[str, Card]:
    loaded = load_library(library)
    assert not [p for p in loaded.problems if p.severity == "error"], loaded.problems
    return {card.key: card for card in loaded.deck(deck_id).cards}


def test_each_package_form_is_read_from_its_newest_collection() -> None:
    forms = {path.name: read_anki(path).form for path in [*REAL_ANKI_PACKAGES,
                                                           ANKI / "genanki.apkg"]}
    assert forms == {
        "new-format.apkg": "collection.anki21b",
        "legacy-format.apkg": "collection.anki21",
        "collection.colpkg": "collection.anki21b",
        "genanki.apkg": "collection.anki2",
    }
    # The new form really is zstd inside (and carries a stub collection.anki2 beside it).
    with zipfile.ZipFile(ANKI / "new-format.apkg") as archive:
        assert archive.read("collection.anki21b").startswith(b"\x28\xb5\x2f\xfd")
        assert "collection.anki2" in archive.namelist()


@pytest.mark.parametrize("package", REAL_ANKI_PACKAGES, ids=lambda p: p.name)
def test_notes_arrive_as_cards_reversed_and_cloze_cards(tmp_path: Path, package: Path) -> None:
    library = tmp_path / "lib"
    result = import_anki(package, library)
    assert sorted(path.name for path, _ in result.decks) == [
        "lectures-basics.yaml", "lectures-wavenet.yaml", "vocabulary.yaml"
    ]
    titles = {data["id"]: data["title"] for _, data in result.decks}
    assert titles["lectures-wavenet"] == "Lectures / WaveNet"  # Anki's Lectures::WaveNet

    wavenet = cards_by_id(library, "lectures-wavenet")
    idea = wavenet["what-is-the-wavenet-idea"]
    assert (idea.front, idea.back) == ("What is the **WaveNet** idea?",
                                       "Fuse neighbours *two at a time*, level by level.")
    assert idea.tags == ["lecture5", "wavenet"]
    cloze = wavenet["one-fusion-is-a-linear-layer-followed-by-tanh"]
    assert cloze.cloze == ("One fusion is a {{c1::linear layer}} followed by "
                           "{{c2::tanh::a squashing function}}.\n\nFrom lecture 5.")
    assert wavenet["how-many-levels-see-16-characters"].back == (
        "4 levels: 2^4 = 16\n\n![](media/tree.png)"
    )

    basics = cards_by_id(library, "lectures-basics")
    assert basics["receptive-field"].reversed is True
    code = basics["code-torch-cat-dim"]
    assert code.front == "Code: `torch.cat` & <dim>"  # entities decoded, <code> as backticks
    assert code.back == "- joins tensors\n- along **dim**"
    assert code.tags == []

    vocabulary = cards_by_id(library, "vocabulary")
    assert (vocabulary["tanh"].front, vocabulary["tanh"].back) == ("tanh", "hyperbolic tangent")
    assert (library / "media" / "tree.png").read_bytes().startswith(PNG_MAGIC)
    assert result.warnings == [
        f"{package}: note type 'Vocabulary': only the first two fields come across; "
        "not imported: Example",
        f"{package}: 1 media file(s) copied to {library / 'media'} (kept as references in "
        "the text; studyapp shows no images or sounds): tree.png",
    ]


def test_genanki_packages_in_the_oldest_form(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    result = import_anki(ANKI / "genanki.apkg", library)
    assert [data["title"] for _, data in result.decks] == ["Old Form / Sub Deck"]
    cards = cards_by_id(library, "old-form-sub-deck")
    assert cards["capital-of-france"].front == "Capital of **France**?"
    assert cards["capital-of-france"].tags == ["geo"]
    assert (library / "media" / "dot.png").read_bytes().startswith(PNG_MAGIC)


def test_review_history_is_replayed_once(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    with ReviewStore.open(tmp_path / "data") as store:
        result = import_anki(ANKI / "new-format.apkg", library, store=store)
        assert (result.history_items, result.history_reviews, result.history_skipped) == (6, 7, 0)
        assert store.review_count() == 7
        # Anki's "Again" leaves a card learning; "Easy" on a new card sends it to review.
        # The fixture's plan: the idea card Again then Good, the first cloze deletion Easy,
        # the reversed side Good (make_packages.py).
        cloze = "one-fusion-is-a-linear-layer-followed-by-tanh"
        twice = store.state(Identity("lectures-wavenet", "what-is-the-wavenet-idea"))
        easy = store.state(Identity("lectures-wavenet", f"{cloze}#c1"))
        good = store.state(Identity("lectures-basics", "receptive-field#reverse"))
        assert twice is not None and twice.phase == Phase.LEARNING
        assert easy is not None and easy.phase == Phase.REVIEW and easy.last_review is not None
        assert good is not None and good.phase == Phase.LEARNING and good.last_review is not None
        assert easy.due - easy.last_review >= timedelta(days=1)
        assert good.due - good.last_review < timedelta(hours=1)
        assert store.state(Identity("lectures-wavenet", f"{cloze}#c2")) is None  # not reviewed
        # Logged with the kinds the review engine logs for these items.
        with sqlite3.connect(store.path) as conn:
            kinds = dict(conn.execute("SELECT item_id, kind FROM reviews"))
        assert kinds[f"{cloze}#c1"] == "cloze"
        assert kinds["receptive-field#reverse"] == "reverse"
        assert kinds["receptive-field"] == "card"
        # Importing again (with --force for the files) adds no review twice.
        again_result = import_anki(ANKI / "new-format.apkg", library, store=store, force=True)
        assert (again_result.history_items, again_result.history_skipped) == (0, 6)
        assert store.review_count() == 7


def test_existing_decks_need_force_and_other_refusals(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    import_anki(ANKI / "genanki.apkg", library)
    deck = library / "decks" / "old-form-sub-deck.yaml"
    deck.write_text("keep me", encoding="utf-8")
    with pytest.raises(DataError, match=r"old-form-sub-deck\.yaml: already exists"):
        import_anki(ANKI / "genanki.apkg", library)
    assert deck.read_text(encoding="utf-8") == "keep me"
    import_anki(ANKI / "genanki.apkg", library, force=True)
    assert "Capital of" in deck.read_text(encoding="utf-8")

    not_zip = tmp_path / "notes.apkg"
    not_zip.write_text("front,back\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"notes\.apkg: not an Anki package \(\.apkg or \.colpkg"):
        import_anki(not_zip, library)
    empty_zip = tmp_path / "empty.apkg"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(DataError, match=r"no collection\.anki2/anki21/anki21b"):
        import_anki(empty_zip, library)
    with pytest.raises(DataError, match="no such file"):
        import_anki(tmp_path / "missing.apkg", library)


@pytest.mark.slow
def test_the_command_and_stats_show_the_imported_history(
    tmp_path: Path, run_studyapp: RunStudyapp
) -> None:
    library = tmp_path / "lib"
    result = run_studyapp("import", "anki", str(ANKI / "legacy-format.apkg"), "-o", str(library))
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    assert "review history: 7 reviews of 6 items replayed" in result.stdout
    assert "warning: " in result.stderr and "tree.png" in result.stderr
    stats = run_studyapp("--library", str(library), "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["reviews"] == 7
    assert data["items"] == 8  # 6 notes: 4 plain, a reversed card and a 2-deletion cloze
    check = run_studyapp("check", str(library))
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_no_history_leaves_the_store_alone(tmp_path: Path, run_studyapp: RunStudyapp) -> None:
    library = tmp_path / "lib"
    result = run_studyapp("import", "anki", str(ANKI / "new-format.apkg"), "-o", str(library),
                          "--no-history")
    assert result.returncode == 0, result.stderr
    assert "review history: not imported (--no-history)" in result.stdout
    stats = run_studyapp("--library", str(library), "stats", "--json")
    assert json.loads(stats.stdout)["reviews"] == 0


def test_without_the_import_extra_anki_import_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "markdownify", None)  # as if it were not installed
        with pytest.raises(DataError, match=r"^Importing from Anki needs the 'import' extra: "
                                            r"pip install 'studyapp\[import\]' "
                                            r"\(missing markdownify\)$"):
            import_anki(ANKI / "genanki.apkg", tmp_path / "lib")
    assert not (tmp_path / "lib").exists()  # refused before anything was written
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(DataError, match=r"^Reading .*new-format\.apkg: collection\.anki21b "
                                        r"needs the 'import' extra"):
        import_anki(ANKI / "new-format.apkg", tmp_path / "lib")


def test_the_extras_load_only_for_the_imports_that_need_them() -> None:
    script = (
        "import contextlib, io, sys, json\n"
        "from studyapp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['check']) == 0\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & {"bs4", "markdownify", "zstandard"}


def test_our_own_anki_export_comes_back_as_the_same_questions_and_cards(tmp_path: Path) -> None:
    from studyapp.formats.anki import note_tags, write_anki
    from studyapp.paths import find_library

    original = load_library(find_library(None)).deck("wavenet")
    package = tmp_path / "wavenet.apkg"
    write_anki(original, package)
    result = import_anki(package, tmp_path / "lib")
    assert result.warnings == []  # our note types' Kind field is understood, not "left out"
    (back,) = load_library(tmp_path / "lib").decks.values()
    assert back.title == original.title

    def words(text: str | None) -> str:  # Anki's HTML does not keep soft line breaks
        return " ".join((text or "").split())

    def texts(items: Sequence[Question | Card]) -> list[tuple[str, str]]:
        return [(words(item.front), words(item.back)) for item in items]

    assert texts(back.questions) == texts(original.questions)
    assert texts(back.cards) == texts(original.cards)
    # Tags: the export gives each note the deck's tags and then its own.
    assert [item.tags for item in [*back.questions, *back.cards]] == [
        note_tags(original, item) for item in [*original.questions, *original.cards]
    ]
