"""The command palette: review, quiz, practice, exercise, export, calculator, stats, help,
theme and quit, each named by the word people search for."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp


class StudyCommands(Provider):
    """Every deck action by name, so nothing needs a memorised key."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("StudyApp", self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Calculator: the tree calculator", app.open_calculator,
             "levels, parameters, shapes (c on home)"),
            ("Stats: review statistics", app.open_stats,
             "heatmap, forecast, retention, streak (s on home)"),
            ("Suspended and buried items", app.open_held, "unsuspend what you set aside"),
            ("Theme: switch light/dark", app.action_toggle_theme,
             "the colour theme, kept for next time (ctrl+t)"),
            ("Help: every key", app.action_help, "what each key does (?)"),
            ("Quit studyapp", app.exit, "every rating is already saved (ctrl+q)"),
        ]
        library = app.library
        if library is not None:
            for deck_id, deck in library.decks.items():
                commands += [
                    (f"Review {deck_id}", partial(app.open_review, deck_id),
                     f"due items of “{deck.title}”"),
                    (f"Quiz {deck_id}", partial(app.open_quiz, deck_id),
                     "every item, schedule untouched"),
                    (f"Practice {deck_id}", partial(app.open_practice, deck_id),
                     "fresh generated problems"),
                    (f"Export {deck_id} to PDF", partial(app.open_export, deck_id),
                     "printable flashcards"),
                ]
                for exercise_id in deck.exercises:
                    commands.append(
                        (f"Exercise: work through {exercise_id}",
                         partial(app.open_quiz, deck_id, exercise_id=exercise_id),
                         f"the worked exercise of {deck_id}")
                    )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
