"""The command line: argument parsing only; each command imports what it needs when it runs."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studyapp.deck.loader import Library
    from studyapp.deck.models import Deck
    from studyapp.session import SessionResult
    from studyapp.store import ReviewStore

Handler = Callable[[argparse.Namespace], int]

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of the usage block."""

    def error(self, message: str) -> Any:  # argparse's signature returns NoReturn
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _print_message(self, message: str, file: Any = None) -> None:
        # argparse drops a failed write silently, so --help or --version on a full stdout
        # exited 0 having printed nothing; the error now reaches main, which says so.
        if not message:
            return
        if file is None or file is not sys.stdout:
            super()._print_message(message, file)
            return
        file.write(message)
        file.flush()


def _positive_int(text: str) -> int:
    from studyapp.calc import MAX_INPUT_DIGITS

    digits = text.replace(",", "").replace("_", "")
    shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
    if len(digits.lstrip("+-")) > MAX_INPUT_DIGITS:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at most {MAX_INPUT_DIGITS:,} digits, got {shown}"
        )
    try:
        value = int(digits)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown}") from None
    return value


def _print_json(data: object) -> None:
    import json

    print(json.dumps(data, indent=2, ensure_ascii=False))


def _shown_path(path: Path) -> str:
    """A path relative to the current folder when it lies below it (shorter error lines)."""
    # absolute(), not resolve(): a symbolic link is shown by its own name (and a link loop
    # cannot make resolve() raise).
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _load_deck(args: argparse.Namespace) -> tuple[Library, Deck]:
    """The library (`--library`, else the usual places) and its deck `args.deck`."""
    from studyapp.deck.loader import load_library
    from studyapp.paths import find_library

    library = load_library(find_library(args.library))
    return library, library.deck(args.deck)


def _exercises_left_out(deck: Deck) -> str:
    skipped = len(deck.exercises)
    return f"; {_plural(skipped, 'exercise')} not exported" if skipped else ""


# -- check -------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    """Validate decks and exercises, naming each file checked and its result."""
    from studyapp.deck.loader import iter_check_targets
    from studyapp.paths import find_library

    paths = [Path(p) for p in args.paths] or [find_library(args.library)]
    reports = list(iter_check_targets(paths))
    errors = sum(1 for r in reports for p in r.problems if p.severity == "error")
    warnings = sum(1 for r in reports for p in r.problems if p.severity == "warning")
    failed = [r for r in reports if not r.ok]
    if args.json:
        _print_json(
            {
                "ok": not failed,
                "errors": errors,
                "warnings": warnings,
                "files": [
                    {
                        "path": _shown_path(r.path),
                        "kind": r.kind,
                        "ok": r.ok,
                        "summary": r.summary,
                        "problems": [
                            {**p.as_json(), "path": _shown_path(p.path)} for p in r.problems
                        ],
                    }
                    for r in reports
                ],
            }
        )
        return EXIT_DATA if failed else EXIT_OK
    for report in reports:
        name = _shown_path(report.path)
        status = f"ok ({report.summary})" if report.ok else "FAILED"
        print(f"{name}: {report.kind} {status}")
        for problem in report.problems:
            prefix = "warning: " if problem.severity == "warning" else ""
            print(f"{name}:{problem.line}:{problem.column}: {prefix}{problem.message}")
    if not reports:
        print("no deck or exercise files found")
    summary = f"checked {len(reports)} file{'s' if len(reports) != 1 else ''}: "
    summary += f"{len(reports) - len(failed)} ok, {len(failed)} failed"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    print(summary)
    return EXIT_DATA if failed else EXIT_OK


# -- calc --------------------------------------------------------------------------------


def cmd_calc_levels(args: argparse.Namespace) -> int:
    """Levels needed, receptive field and flat width for one context length."""
    from studyapp import calc

    levels = calc.levels_needed(args.context, arity=args.arity)
    field = calc.receptive_field(levels, arity=args.arity)
    width = calc.flat_input_width(args.context, embedding=args.embedding)
    if args.json:
        _print_json(
            {
                "context": args.context,
                "arity": args.arity,
                "embedding": args.embedding,
                "levels": levels,
                "receptive_field": field,
                "flat_width": width,
            }
        )
        return EXIT_OK
    rows = [
        ("context", f"{args.context:,}", ""),
        ("levels needed", f"{levels:,}", f"{args.arity}^{levels} = {field:,} ≥ {args.context:,}"),
        ("receptive field", f"{field:,}", "characters one output sees"),
        (
            "flat input width",
            f"{width:,}",
            f"{args.context:,} × {args.embedding} number{'s' if args.embedding != 1 else ''}",
        ),
    ]
    value_width = max(len(value) for _, value, _ in rows)
    for label, value, note in rows:
        line = f"{label:<17} {value:>{value_width}}"
        print(f"{line}   {note}" if note else line)
    return EXIT_OK


def cmd_calc_shapes(args: argparse.Namespace) -> int:
    """Each layer's output shape, as the lecture notebook prints them."""
    from studyapp import calc

    shapes = calc.layer_shapes(
        args.batch, args.context, args.embedding, args.hidden, args.vocab,
        arity=args.arity, model=args.model,
    )
    if args.json:
        _print_json([{"layer": name, "shape": list(shape)} for name, shape in shapes])
        return EXIT_OK
    width = max(len(name) for name, _ in shapes)
    for name, shape in shapes:
        print(f"{name:<{width}} : {tuple(shape)}")
    return EXIT_OK


def cmd_calc_params(args: argparse.Namespace) -> int:
    """Trainable parameters of the flat or tree model, layer by layer."""
    from studyapp import calc

    breakdown = calc.param_breakdown(
        args.model, args.vocab, args.context, args.embedding, args.hidden, arity=args.arity
    )
    total = sum(count for _, count in breakdown)
    if args.json:
        _print_json(
            {
                "model": args.model,
                "total": total,
                "layers": [{"layer": name, "params": count} for name, count in breakdown],
            }
        )
        return EXIT_OK
    width = max(len(name) for name, _ in breakdown)
    digits = len(f"{total:,}")
    for name, count in breakdown:
        print(f"{name:<{width}}  {count:>{digits},}")
    print(f"{'total':<{width}}  {total:>{digits},}")
    return EXIT_OK


# -- quiz --------------------------------------------------------------------------------

MAX_PRACTICE = 10_000
"""Most generated problems one `quiz --practice N` asks."""


def _practice_count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        from studyapp.errors import quoted

        raise argparse.ArgumentTypeError(f"expected a whole number, got {quoted(text)}") from None
    if not 1 <= value <= MAX_PRACTICE:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_PRACTICE:,} problems, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        from studyapp.errors import quoted

        raise argparse.ArgumentTypeError(f"expected a whole number, got {quoted(text)}") from None


def cmd_quiz(args: argparse.Namespace) -> int:
    """A quiz on a deck: the TUI, or plain lines on stdin/stdout with --plain."""
    from studyapp.errors import UsageError
    from studyapp.paths import find_library

    if not args.plain:
        # The TUI's practice runs until the learner stops; --seed/--shuffle are for --plain.
        if args.practice is not None:
            return _open_tui(args, start="practice")
        return _open_tui(args, start="quiz", exercise_id=args.exercise)
    if args.deck is None:
        raise UsageError("quiz --plain needs a DECK (a deck id of the library)")
    if args.variant and (args.exercise is None or args.practice is not None):
        raise UsageError("--variant needs --exercise ID (and no --practice)")
    from studyapp import plain

    return plain.quiz(
        find_library(args.library),
        args.deck,
        exercise_id=args.exercise,
        practice=args.practice,
        seed=args.seed,
        shuffle=args.shuffle,
        variant=args.variant,
        on_finish=lambda result: _keep_quiz_history(args, result),
    )


def _keep_quiz_history(args: argparse.Namespace, result: SessionResult) -> None:
    """Quizzes never touch the schedule, but their answers are kept for history."""
    if not result.outcomes:
        return
    from datetime import UTC, datetime

    from studyapp.errors import StudyappError
    from studyapp.paths import resolve_data_dir
    from studyapp.review import keep_quiz_history

    now = datetime.now(UTC)
    try:
        with _open_store(resolve_data_dir(args.data_dir), now=now) as store:
            keep_quiz_history(store, result, now)
    except StudyappError as error:
        print(f"studyapp: warning: the quiz was not saved: {error}", file=sys.stderr)


def cmd_review(args: argparse.Namespace) -> int:
    """Spaced-repetition review: the TUI, or plain lines with --plain."""
    from studyapp.errors import UsageError

    if not args.plain:
        return _open_tui(args, start="review")
    if args.deck is None:
        raise UsageError("review --plain needs a DECK (a deck id of the library)")
    from studyapp import plain_review
    from studyapp.paths import resolve_data_dir
    from studyapp.settings import load_settings

    library, _ = _load_deck(args)  # an unknown deck is refused before the database opens
    data_dir = resolve_data_dir(args.data_dir)
    settings = load_settings(data_dir)
    with _open_store(data_dir, scheduler=settings.scheduler()) as store:
        try:
            return plain_review.review(library, store, args.deck, settings)
        finally:
            _warn_bad_rows(store.bad_rows)


def _open_store(data_dir: Path, **options: Any) -> ReviewStore:
    """`ReviewStore.open` for a command that writes; a day's backup that could not be made
    is said once, on stderr, and the command goes on."""
    from studyapp.store import ReviewStore

    store = ReviewStore.open(data_dir, **options)
    if store.backup_problem is not None:
        print(f"studyapp: warning: {store.backup_problem}", file=sys.stderr)
    return store


def _warn_bad_rows(lines: Sequence[str]) -> None:
    """Rows of the database that could not be read were skipped: say which, on stderr."""
    for line in lines:
        print(f"studyapp: warning: {line}", file=sys.stderr)


def cmd_stats(args: argparse.Namespace) -> int:
    """Review statistics of one deck or the whole library."""
    from datetime import UTC, datetime

    from studyapp.deck.loader import load_library
    from studyapp.paths import find_library, resolve_data_dir
    from studyapp.stats import compute_stats
    from studyapp.store import ReviewStore

    library = load_library(find_library(args.library))
    if args.deck is not None:
        library.deck(args.deck)
    now = datetime.now(UTC)
    # read-only: stats answer from a read-only folder and never create or migrate anything
    with ReviewStore.open(resolve_data_dir(args.data_dir), readonly=True) as store:
        stats = compute_stats(store, library, now, args.deck)
        _warn_bad_rows(store.bad_rows)
    if args.json:
        _print_json(stats.as_json())
        return EXIT_OK
    retention = "–" if stats.retention is None else f"{stats.retention:.0%}"
    rows = [
        ("deck", args.deck or "all decks"),
        ("reviews", f"{stats.reviews} ({stats.reviews_today} today)"),
        ("last 7 days", " ".join(str(n) for n in list(stats.per_day.values())[-7:])
         + "  (oldest first, today last)"),
        ("due now", str(stats.due)),
        ("due, 7 days", " ".join(str(n) for n in list(stats.forecast.values())[:7])
         + "  (today first; today includes overdue)"),
        ("retention", f"{retention} (last 30 days)"),
        ("streak", f"{stats.streak} day{'s' if stats.streak != 1 else ''}"),
        ("items", f"{stats.items}: {stats.new} new, {stats.learning} learning, "
                  f"{stats.review} review"),
        ("orphans", f"{stats.orphans} (history of items no longer in a deck; kept)"),
        ("held", f"{stats.suspended} suspended, {stats.buried} buried until tomorrow"),
    ]
    for label, value in rows:
        print(f"{label:<12} {value}")
    return EXIT_OK


def _fronts(library: Library, deck_id: str | None) -> dict[tuple[str, str], str]:
    """The first line of each review item's front, by (deck id, item id)."""
    from studyapp.review import review_items

    decks = library.decks.values() if deck_id is None else [library.deck(deck_id)]
    return {
        (item.identity.deck_id, item.identity.item_id): (item.front.strip().splitlines() or [""])[0]
        for deck in decks
        for item in review_items(deck, library.exercises_of(deck))
    }


def cmd_suspended(args: argparse.Namespace) -> int:
    """List the suspended and buried items (of one deck or all)."""
    from datetime import UTC, datetime

    from studyapp.deck.loader import load_library
    from studyapp.paths import find_library, resolve_data_dir
    from studyapp.review import held_items
    from studyapp.store import ReviewStore

    library = load_library(find_library(args.library))
    now = datetime.now(UTC)
    with ReviewStore.open(resolve_data_dir(args.data_dir), readonly=True) as store:
        held = held_items(store, library, now, args.deck)
    if args.json:
        _print_json(
            [
                {
                    "deck": h.identity.deck_id,
                    "item": h.identity.item_id,
                    "kind": h.kind,
                    "until": None if h.until is None else h.until.isoformat(),
                    "front": h.front or None,
                }
                for h in held
            ]
        )
        return EXIT_OK
    if not held:
        print("nothing is suspended or buried" + (f" in {args.deck}" if args.deck else ""))
        return EXIT_OK
    for h in held:
        if h.until is None:
            state = "suspended"
        else:
            state = f"buried until {h.until.astimezone():%Y-%m-%d %H:%M}"
            if h.kind == "sibling":
                state += " (a sibling was reviewed today)"
        front = h.front or "(no longer in a deck)"
        print(f"{h.identity.deck_id}  {h.identity.item_id}  {state}  {front}")
    return EXIT_OK


def cmd_unsuspend(args: argparse.Namespace) -> int:
    """Take items of a deck (or all of them) out of suspension."""
    from studyapp.deck.loader import load_library
    from studyapp.errors import DataError, UsageError
    from studyapp.paths import find_library, resolve_data_dir
    from studyapp.store import Identity

    if not args.items and not args.all:
        raise UsageError("name the items to unsuspend, or give --all for the whole deck")
    if args.items and args.all:
        raise UsageError("give item ids or --all, not both")
    library = load_library(find_library(args.library))
    known = {item_id for deck_id, item_id in _fronts(library, args.deck)}
    unknown = [item_id for item_id in args.items if item_id not in known]
    if unknown:
        raise DataError(f"deck {args.deck!r} has no item {', '.join(map(repr, unknown))}")
    with _open_store(resolve_data_dir(args.data_dir)) as store:
        if args.all:
            count = store.unsuspend_deck(args.deck)
            print(f"unsuspended {_plural(count, 'item')} in {args.deck}")
            return EXIT_OK
        for item_id in dict.fromkeys(args.items):
            if store.unsuspend(Identity(args.deck, item_id)):
                print(f"unsuspended {args.deck} {item_id}")
            else:
                print(f"{args.deck} {item_id} was not suspended")
    return EXIT_OK


def _open_tui(
    args: argparse.Namespace, *, start: str, exercise_id: str | None = None
) -> int:
    """Open the TUI (studyapp.tui.app.run_app) on `start`, if this installation has it."""
    import importlib

    from studyapp.paths import find_library, resolve_data_dir

    library_root = find_library(args.library)
    data_dir = resolve_data_dir(args.data_dir)
    if args.deck is not None:
        _check_deck_id(library_root, data_dir, args.deck)
    try:
        run_app = importlib.import_module("studyapp.tui.app").run_app
    except (ImportError, AttributeError) as error:
        print(
            f"studyapp: the TUI is not available ({error}); use --plain",
            file=sys.stderr,
        )
        return EXIT_DATA
    if not _has_terminal():
        # The TUI would draw into a pipe (or wait on a file) and never return.
        print("studyapp: the TUI needs a terminal on stdin and stdout; for lines, use "
              "`studyapp quiz DECK --plain` or `studyapp review DECK --plain`",
              file=sys.stderr)
        return EXIT_USAGE
    status = run_app(library_root, data_dir, start=start, deck_id=args.deck,
                     exercise_id=exercise_id)
    return EXIT_OK if status is None else int(status)


def _has_terminal() -> bool:
    """Both stdin and stdout are a terminal (the TUI reads keys and draws on them), or the
    app runs under a driver of Textual's that brings its own (textual-serve's web driver
    talks over pipes, for `studyapp serve`)."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or missing streams
        return False


def _check_deck_id(library_root: Path, data_dir: Path, deck_id: str) -> None:
    """Refuse an unknown deck (exit 1) before the TUI takes the terminal."""
    from studyapp import __version__
    from studyapp.deck.summary import read_summary
    from studyapp.errors import DataError

    summary = read_summary(library_root, data_dir / "cache", __version__)
    if summary is not None:
        known = [deck.id for deck in summary.decks]
    else:
        from studyapp.deck.cache import load_library_cached

        known = list(load_library_cached(library_root, data_dir / "cache").decks)
    if deck_id not in known:
        raise DataError(
            f"unknown deck {deck_id!r} in {library_root} (decks: {', '.join(known) or 'none'})"
        )


# -- export pdf --------------------------------------------------------------------------

PROGRESS_THRESHOLD = 300
"""Exports of more cards than this draw a progress bar (when stderr is a terminal)."""


def cmd_export_pdf(args: argparse.Namespace) -> int:
    """Printable flashcards: one per page, or grids with duplex backs and cut marks."""
    from studyapp.export.printable import (
        PdfOptions,
        parse_back_offset,
        parse_tags,
        printable_items,
    )

    options = PdfOptions(
        layout=args.layout,
        paper=args.paper,
        duplex=args.duplex,
        cut_marks=args.cut_marks,
        back_offset=parse_back_offset(args.back_offset) if args.back_offset else (0.0, 0.0),
        title=args.deck,
    )
    tags = parse_tags(args.tags) if args.tags else None
    library, deck = _load_deck(args)
    items = printable_items(
        deck, library.exercises_of(deck), with_exercises=args.with_exercises, tags=tags
    )
    from studyapp.export.pdf import write_pdf

    progress = _progress_bar(len(items)) if len(items) > PROGRESS_THRESHOLD else None
    result = write_pdf(items, Path(args.output), options, progress)
    if progress is not None:
        print(file=sys.stderr)
    for warning in result.warnings:
        print(f"studyapp: warning: {warning}", file=sys.stderr)
    print(
        f"wrote {_shown_path(result.path)}: {result.items} items on {result.pages} "
        f"page{'s' if result.pages != 1 else ''} ({options.layout}, {options.paper}"
        + (f", duplex {options.duplex}" if options.layout == "grid" else "")
        + ")"
    )
    return EXIT_OK


def _progress_bar(total: int) -> Callable[[int, int], None] | None:
    """A one-line bar on stderr, redrawn in place; None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None

    def draw(done: int, total_now: int) -> None:
        width = 30
        filled = width * done // max(total_now, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total_now} cards")
        sys.stderr.flush()

    return draw


def cmd_export_anki(args: argparse.Namespace) -> int:
    """An Anki package of the deck's questions and cards."""
    from studyapp.formats.anki import require_genanki, write_anki

    require_genanki()  # the one-line install hint before any work
    _, deck = _load_deck(args)
    count = write_anki(deck, Path(args.output))
    print(f"wrote {args.output}: {_plural(count, 'note')} in Anki deck {deck.title!r}"
          f"{_exercises_left_out(deck)}")
    return EXIT_OK


def cmd_export_csv(args: argparse.Namespace) -> int:
    """A CSV file of the deck's questions and cards."""
    from studyapp.formats.csvfile import write_csv

    _, deck = _load_deck(args)
    count = write_csv(deck, Path(args.output))
    print(f"wrote {args.output}: {_plural(count, 'row')}{_exercises_left_out(deck)}")
    return EXIT_OK


def cmd_import_csv(args: argparse.Namespace) -> int:
    """A CSV file becomes a deck file."""
    from studyapp.formats.csvfile import import_csv

    done = import_csv(Path(args.file), Path(args.output), deck_id=args.id, title=args.title,
                      force=args.force)
    print(f"wrote {args.output}: deck {done.deck_id!r} with {_plural(done.questions, 'question')}"
          f" and {_plural(done.cards, 'card')}")
    return EXIT_OK


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def cmd_import_page(args: argparse.Namespace) -> int:
    """A practice page becomes a deck file and one exercise file per worked exercise."""
    from studyapp.formats.page import exercises_folder, import_page

    output = Path(args.output)
    imported = import_page(Path(args.file), output, deck_id=args.id, title=args.title,
                           force=args.force, warn=_warn)
    deck = imported.deck
    steps = sum(len(e["steps"]) for e in imported.exercises.values())
    print(f"wrote {args.output}: deck {deck['id']!r} ({deck['title']}) with "
          f"{_plural(len(deck.get('questions', [])), 'question')}, "
          f"{_plural(len(deck.get('cards', [])), 'card')} and "
          f"{_plural(len(imported.exercises), 'exercise')}"
          + (f" ({_plural(steps, 'step')})" if imported.exercises else ""))
    for exercise_id in imported.exercises:
        print(f"wrote {exercises_folder(output) / (exercise_id + '.yaml')}")
    if imported.warnings:
        print(f"{_plural(len(imported.warnings), 'warning')} about the lines named above "
              "(on stderr)")
    return EXIT_OK


def cmd_import_anki(args: argparse.Namespace) -> int:
    """An Anki package becomes one deck file per Anki deck, with its review history."""
    from studyapp.formats.anki import import_anki

    library = Path(args.output)
    if args.no_history:
        result = import_anki(Path(args.file), library, force=args.force)
    else:
        from studyapp.paths import resolve_data_dir
        from studyapp.settings import load_settings

        data_dir = resolve_data_dir(args.data_dir)
        settings = load_settings(data_dir)
        with _open_store(data_dir, scheduler=settings.scheduler()) as store:
            result = import_anki(Path(args.file), library, force=args.force, store=store)
    for warning in result.warnings:
        _warn(warning)
    for path, data in result.decks:
        print(f"wrote {path}: deck {data['id']!r} ({data['title']}) with "
              f"{_plural(len(data['cards']), 'card')}")
    if args.no_history:
        print("review history: not imported (--no-history)")
    else:
        skipped = (f"; {_plural(result.history_skipped, 'item')} already had history here, "
                   "left as it was") if result.history_skipped else ""
        print(f"review history: {_plural(result.history_reviews, 'review')} of "
              f"{_plural(result.history_items, 'item')} replayed{skipped}")
    return EXIT_OK


def cmd_import_text(args: argparse.Namespace) -> int:
    """Anki's plain-text export or a two-column term/definition file becomes a deck file."""
    from studyapp.formats.ankitext import import_text

    imported = import_text(Path(args.file), Path(args.output), deck_id=args.id,
                           title=args.title, separator=args.separator, force=args.force)
    for warning in imported.warnings:
        _warn(warning)
    deck = imported.deck
    print(f"wrote {args.output}: deck {deck['id']!r} with {_plural(len(deck['cards']), 'card')}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """The JSON Schema of one file format, generated from the models."""
    from studyapp.errors import UsageError
    from studyapp.schema import SCHEMA_KINDS, schema_text

    kind = args.kind or "deck"
    if kind not in SCHEMA_KINDS:
        raise UsageError(f"unknown format {kind!r} (choose deck or exercise)")
    print(schema_text(kind), end="")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------


def cmd_optimize(args: argparse.Namespace) -> int:
    """Fit FSRS parameters to this data folder's history; keep them if they predict it better."""
    from studyapp.optimize import optimize
    from studyapp.paths import resolve_data_dir
    from studyapp.settings import load_settings
    from studyapp.store import ReviewStore

    data_dir = resolve_data_dir(args.data_dir)
    load_settings(data_dir)  # a broken settings or parameters file is refused first
    with ReviewStore.open(data_dir, readonly=True) as store:
        result = optimize(store, data_dir)
        _warn_bad_rows(store.bad_rows)
    if args.json:
        _print_json(result.as_dict())
        return EXIT_OK
    print(f"reviews used: {result.reviews}")
    if result.outcome == "too-few-reviews":
        print("too few reviews to fit parameters: keeping the current parameters")
        return EXIT_OK
    assert result.old_scores is not None and result.new_scores is not None
    fit = "the initial stabilities only" if result.fit == "initial" else "all parameters"
    print(f"fitted: {fit}")
    print(f"current: log loss {result.old_scores.log_loss:.4f}, RMSE {result.old_scores.rmse:.4f}")
    print(f"fitted:  log loss {result.new_scores.log_loss:.4f}, RMSE {result.new_scores.rmse:.4f}")
    if result.outcome == "kept-new":
        print("kept the fitted parameters: they are used from now on")
    else:
        print("kept the current parameters: the fitted ones do not predict the history better")
    return EXIT_OK


def _port(text: str) -> int:
    value = _positive_int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, got {text!r}")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    """The TUI in a web browser (textual-serve), on 127.0.0.1 unless --host says otherwise."""
    from studyapp.paths import find_library, resolve_data_dir
    from studyapp.serve import serve

    serve(find_library(args.library), resolve_data_dir(args.data_dir), args.host, args.port)
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    """Exchange review history with every device that syncs through FOLDER."""
    from studyapp.paths import expand_user, resolve_data_dir
    from studyapp.settings import load_settings
    from studyapp.sync import sync

    data_dir = resolve_data_dir(args.data_dir)
    settings = load_settings(data_dir)
    with _open_store(data_dir, scheduler=settings.scheduler()) as store:
        result = sync(store, data_dir, expand_user(args.folder))
        _warn_bad_rows(store.bad_rows)
    print(f"sent {_plural(result.appended, 'event')}, received {_plural(result.received, 'event')}")
    print(result.line())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = _Parser(
        prog="studyapp",
        description="Study a page as questions, flashcards and graded worked numeric exercises.",
    )
    parser.add_argument("--library", metavar="PATH", help="library folder holding decks/")
    parser.add_argument(
        "--data-dir", metavar="PATH",
        help="review database and caches (default: $STUDYAPP_DATA_DIR or the user data folder)",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="validate decks and exercises")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="deck file, exercise file or library folder (default: the library)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(handler=cmd_check)

    quiz = commands.add_parser(
        "quiz", help="quiz on every item of a deck (the review schedule is untouched)"
    )
    quiz.add_argument("deck", nargs="?", metavar="DECK", help="a deck id of the library")
    quiz.add_argument("--plain", action="store_true",
                      help="plain lines on stdin/stdout instead of the TUI")
    quiz.add_argument("--exercise", metavar="ID", help="only this exercise's steps, in order")
    quiz.add_argument("--practice", metavar="N", type=_practice_count,
                      help="only N generated problems from the deck's practice templates")
    quiz.add_argument("--seed", metavar="S", type=_seed,
                      help="make generated problems (and --shuffle) reproducible")
    quiz.add_argument("--shuffle", action="store_true",
                      help="questions, cards and exercises in a random order")
    quiz.add_argument("--variant", action="store_true",
                      help="with --exercise: a fresh version of it with new numbers")
    quiz.set_defaults(handler=cmd_quiz)

    review = commands.add_parser("review", help="spaced-repetition review of due items")
    review.add_argument("deck", nargs="?", metavar="DECK", help="a deck id of the library")
    review.add_argument("--plain", action="store_true",
                        help="plain lines on stdin/stdout instead of the TUI")
    review.set_defaults(handler=cmd_review)

    stats = commands.add_parser("stats", help="review statistics")
    stats.add_argument("deck", nargs="?", metavar="DECK", help="one deck (default: all)")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.set_defaults(handler=cmd_stats)

    suspended = commands.add_parser("suspended", help="list suspended and buried items")
    suspended.add_argument("deck", nargs="?", metavar="DECK", help="one deck (default: all)")
    suspended.add_argument("--json", action="store_true", help="machine-readable output")
    suspended.set_defaults(handler=cmd_suspended)

    unsuspend = commands.add_parser("unsuspend", help="bring suspended items back into review")
    unsuspend.add_argument("deck", metavar="DECK")
    unsuspend.add_argument("items", nargs="*", metavar="ITEM", help="item ids (see suspended)")
    unsuspend.add_argument("--all", action="store_true", help="every suspended item of DECK")
    unsuspend.set_defaults(handler=cmd_unsuspend)

    export = commands.add_parser("export", help="print a deck to PDF, or export to Anki or CSV")
    export_commands = export.add_subparsers(dest="export_command", metavar="FORMAT",
                                            parser_class=_Parser, required=True)
    pdf = export_commands.add_parser("pdf", help="printable flashcards")
    pdf.add_argument("deck", metavar="DECK", help="deck id in the library")
    pdf.add_argument("-o", "--output", metavar="FILE", required=True)
    pdf.add_argument("--layout", choices=("page", "grid"), default="grid",
                     help="page: one item per page, back below a fold line; "
                          "grid: cards sized for the paper (default)")
    pdf.add_argument("--paper", choices=("a4", "letter", "a6", "index-3x5"), default="a4")
    pdf.add_argument("--duplex", choices=("long", "short", "none"), default="long",
                     help="grid backs: flip on the long edge (default), the short edge, or "
                          "none (front and back side by side, to fold)")
    pdf.add_argument("--cut-marks", action="store_true", help="crop marks at card corners")
    pdf.add_argument("--back-offset", metavar="X,Y",
                     help="shift back pages by X,Y millimetres (printer misalignment)")
    pdf.add_argument("--with-exercises", action="store_true",
                     help="add each exercise as a worked sheet")
    pdf.add_argument("--tags", metavar="T", help="only items with one of these tags (a,b)")
    pdf.set_defaults(handler=cmd_export_pdf)
    anki = export_commands.add_parser(
        "anki", help="an Anki package (.apkg) of the deck's questions and cards")
    anki.add_argument("deck", metavar="DECK", help="deck id in the library")
    anki.add_argument("-o", "--output", metavar="FILE.apkg", required=True)
    anki.set_defaults(handler=cmd_export_anki)
    csv_export = export_commands.add_parser(
        "csv", help="a CSV file of the deck's questions and cards")
    csv_export.add_argument("deck", metavar="DECK", help="deck id in the library")
    csv_export.add_argument("-o", "--output", metavar="FILE.csv", required=True)
    csv_export.set_defaults(handler=cmd_export_csv)

    imports = commands.add_parser("import", help="make a deck file from another format")
    import_commands = imports.add_subparsers(dest="import_command", metavar="FORMAT",
                                             parser_class=_Parser, required=True)
    csv_import = import_commands.add_parser(
        "csv", help="a CSV file (kind,id,front,back,tags) becomes a deck")
    csv_import.add_argument("file", metavar="FILE.csv")
    page = import_commands.add_parser(
        "page", help="a practice page (text, Markdown or HTML) becomes a deck and exercises")
    page.add_argument("file", metavar="FILE")
    for sub in (csv_import, page):
        sub.add_argument("-o", "--output", metavar="DECK.yaml", required=True)
        sub.add_argument("--id", metavar="ID",
                         help="deck id (default: page heading / output file name)")
        sub.add_argument("--title", metavar="TITLE", help="deck title")
        sub.add_argument("--force", action="store_true",
                         help="overwrite an existing output file")
    csv_import.set_defaults(handler=cmd_import_csv)
    page.set_defaults(handler=cmd_import_page)
    text_import = import_commands.add_parser(
        "text", help="Anki's Notes in Plain Text, or term/definition lines (Quizlet)")
    text_import.add_argument("file", metavar="FILE")
    text_import.add_argument("-o", "--output", metavar="DECK.yaml", required=True)
    text_import.add_argument("--id", metavar="ID", help="deck id (default: output file name)")
    text_import.add_argument("--title", metavar="TITLE", help="deck title")
    text_import.add_argument("--separator", metavar="SEP",
                             help="between term and definition (default: tab; also comma, "
                                  "semicolon, pipe, ...); overrides #separator:")
    text_import.add_argument("--force", action="store_true",
                             help="overwrite an existing output file")
    text_import.set_defaults(handler=cmd_import_text)
    anki_import = import_commands.add_parser(
        "anki", help="an Anki package (.apkg, .colpkg) becomes decks, with review history")
    anki_import.add_argument("file", metavar="FILE.apkg")
    anki_import.add_argument("-o", "--output", metavar="LIB", required=True,
                             help="library folder (deck files go to LIB/decks/)")
    anki_import.add_argument("--no-history", action="store_true",
                             help="do not replay Anki's review history into the data directory")
    anki_import.add_argument("--force", action="store_true",
                             help="overwrite existing deck and media files")
    anki_import.set_defaults(handler=cmd_import_anki)

    schema = commands.add_parser("schema", help="print the JSON Schema of a file format")
    schema.add_argument("kind", nargs="?", choices=("deck", "exercise"), default="deck",
                        help="which format (default: deck)")
    schema.set_defaults(handler=cmd_schema)

    optimize = commands.add_parser(
        "optimize", help="fit FSRS parameters to this data folder's review history"
    )
    optimize.add_argument("--json", action="store_true", help="machine-readable report")
    optimize.set_defaults(handler=cmd_optimize)

    serve = commands.add_parser("serve", help="the TUI in a web browser")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this computer only)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.set_defaults(handler=cmd_serve)

    sync = commands.add_parser(
        "sync", help="exchange review history with other devices through a shared folder"
    )
    sync.add_argument("folder", metavar="FOLDER", help="any shared or synced folder")
    sync.set_defaults(handler=cmd_sync)

    calc = commands.add_parser("calc", help="the tree calculator")
    calc_commands = calc.add_subparsers(dest="calc_command", metavar="WHAT",
                                        parser_class=_Parser, required=True)
    levels = calc_commands.add_parser("levels", help="levels needed, receptive field, flat width")
    levels.add_argument("context", type=_positive_int, help="characters of context")
    levels.add_argument("--arity", type=_positive_int, default=2)
    levels.add_argument("--embedding", type=_positive_int, default=1,
                        help="numbers per character for the flat width (default 1)")
    levels.add_argument("--json", action="store_true")
    levels.set_defaults(handler=cmd_calc_levels)

    for name, handler, text in (
        ("shapes", cmd_calc_shapes, "layer-by-layer output shapes"),
        ("params", cmd_calc_params, "trainable parameters, per layer"),
    ):
        sub = calc_commands.add_parser(name, help=text)
        if name == "shapes":
            sub.add_argument("--batch", type=_positive_int, required=True)
        sub.add_argument("--context", type=_positive_int, required=True)
        sub.add_argument("--embedding", type=_positive_int, required=True)
        sub.add_argument("--hidden", type=_positive_int, required=True)
        sub.add_argument("--vocab", type=_positive_int, required=True)
        sub.add_argument("--arity", type=_positive_int, default=2)
        sub.add_argument("--model", choices=("flat", "tree"),
                         default="tree" if name == "shapes" else None,
                         required=name == "params")
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(handler=handler)
    _global_options_everywhere(parser)
    return parser


def _global_options_everywhere(parser: argparse.ArgumentParser) -> None:
    """`--library` and `--data-dir` also work after the command (`studyapp quiz wavenet
    --data-dir D`), as people type them; given there, they win over the ones before it.
    SUPPRESS keeps a sub-command from overwriting an earlier value with None."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sub in action.choices.values():
            sub.add_argument("--library", metavar="PATH", default=argparse.SUPPRESS,
                             help="library folder holding decks/ (as before the command)")
            sub.add_argument("--data-dir", metavar="PATH", default=argparse.SUPPRESS,
                             help="review database and caches (as before the command)")
            _global_options_everywhere(sub)


def _version() -> str:
    from studyapp import __version__

    return f"studyapp {__version__}"


def _report_crash() -> str:
    """Write the current traceback to a file and return its path."""
    import tempfile
    import time
    import traceback

    name = f"studyapp-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    path = Path(tempfile.gettempdir()) / name
    # A new private file only: a name planted in the shared temporary folder (a link to
    # someone's file, a FIFO) is never followed or written through.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(traceback.format_exc())
    except OSError:
        return "(could not write a report)"
    return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; map user mistakes to one line and exit codes 1 and 2."""
    from studyapp.calc import CalcError
    from studyapp.errors import StudyappError, UsageError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except OSError as error:  # --help or --version on a full or closed stdout
        return _output_failed(error)
    handler: Handler | None = getattr(args, "handler", None)
    _exit_on_sigterm()
    try:
        if handler is None:  # plain `studyapp`: the TUI on the home screen
            args.deck = None
            return _open_tui(args, start="home")
        status = handler(args)
        sys.stdout.flush()  # a full or broken stdout is reported here, not at exit
        return status
    except UsageError as error:
        print(f"studyapp: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except CalcError as error:
        print(f"studyapp: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StudyappError as error:
        print(f"studyapp: {error}", file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        return _output_failed(error)
    except Exception as error:
        return _internal_error(error)


def _output_failed(error: OSError) -> int:
    """The exit of a command whose output could not be written (any other OSError is a bug)."""
    if isinstance(error, BrokenPipeError):
        # The reader went away (e.g. `| head`); silence the flush at exit.
        _silence_stdout()
        return EXIT_OK
    if error.errno not in _OUTPUT_ERRORS:
        return _internal_error(error)
    _silence_stdout()
    print(f"studyapp: cannot write the output ({error.strerror})", file=sys.stderr)
    return EXIT_DATA


#: Errors of writing to a full or failing stdout (or any file a command writes directly).
_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


def _silence_stdout() -> None:
    """Point stdout at the null device so the flush at exit does not fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _exit_on_sigterm() -> None:
    """SIGTERM, and SIGHUP (the terminal closed), end the command through SystemExit, so
    `finally` blocks run and remove temporary files (an export killed half-way leaves
    nothing beside its output). A SIGHUP ignored on purpose (nohup) stays ignored."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # not the main thread (main called by a test)
        signal.signal(signal.SIGTERM, stop)
        hangup = getattr(signal, "SIGHUP", None)  # not on Windows
        if hangup is not None and signal.getsignal(hangup) is signal.SIG_DFL:
            signal.signal(hangup, stop)


def _internal_error(error: BaseException) -> int:
    """A bug: the traceback goes to a file, one line to stderr, exit code 70."""
    report = _report_crash()
    print(
        f"studyapp: internal error ({type(error).__name__}: {error}); "
        f"full report written to {report}",
        file=sys.stderr,
    )
    return EXIT_INTERNAL
