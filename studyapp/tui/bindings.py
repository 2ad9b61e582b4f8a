"""Every key binding of the TUI, declared as data in one place."""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP: list[BindingType] = [
    Binding("ctrl+q", "quit", "Quit", priority=True),
    Binding("question_mark", "help", "Help", key_display="?"),
    # Not in the footer (80 columns hold only so much); help and the palette list it.
    Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
    # Scrolling the screen's body. Page keys are priority bindings so they scroll even
    # while an answer box has the focus; the others give way to a focused box or list
    # (which uses them for its cursor) and to the screen's own keys.
    Binding("pageup", "scroll_body('page_up')", "Page up", show=False, priority=True),
    Binding("pagedown", "scroll_body('page_down')", "Page down", show=False, priority=True),
    Binding("home", "scroll_body('home')", "Top", show=False),
    Binding("end", "scroll_body('end')", "Bottom", show=False),
    Binding("up,k", "scroll_body('up')", "Scroll up", show=False),
    Binding("down,j", "scroll_body('down')", "Scroll down", show=False),
]

HOME: list[BindingType] = [
    Binding("r", "review", "Review"),
    Binding("q", "quiz", "Quiz"),
    Binding("p", "practice", "Practice"),
    Binding("w", "exercise", "Exercise"),
    Binding("e", "export", "Export"),
    Binding("c", "calculator", "Calc"),
    Binding("s", "stats", "Stats"),
    Binding("escape", "ask_quit", "Quit", show=False),
]

DECK_LIST: list[BindingType] = [
    Binding("up,k", "move(-1)", "Up", show=False),
    Binding("down,j", "move(1)", "Down", show=False),
    Binding("home", "jump(0)", "First", show=False),
    Binding("end", "jump(-1)", "Last", show=False),
    Binding("enter", "open", "Review", show=False),
]
"""The home screen's deck list."""

BACK: list[BindingType] = [
    Binding("escape", "back", "Back"),
]

REVIEW: list[BindingType] = [
    *BACK,
    # One key, two meanings: the engine says which one fits now. Not in the footer: the
    # pinned row above it names what space does (reveal, or continue after an exercise),
    # and a footer whose keys stay the same from card to card is not rebuilt on each
    # reveal and rating (a rebuild drew frames up to 100 ms after the next card showed).
    Binding("space", "reveal", "Reveal", show=False),
    Binding("space", "proceed", "Continue", show=False),
    # The rating row above the footer shows 1-4 with their intervals.
    Binding("1", "rate(1)", "Again", show=False),
    Binding("2", "rate(2)", "Hard", show=False),
    Binding("3", "rate(3)", "Good", show=False),
    Binding("4", "rate(4)", "Easy", show=False),
    Binding("u", "undo", "Undo"),
    # Works while an exercise's answer box has focus, where `u` is typed into the box.
    Binding("ctrl+z", "undo", "Undo", show=False, priority=True),
    Binding("b", "bury", "Bury"),
    Binding("s", "suspend", "Suspend"),
]

SESSION: list[BindingType] = [
    Binding("ctrl+r", "reveal", "Reveal"),
    Binding("space", "reveal", "Reveal", show=False),
    Binding("y", "knew(True)", "Knew it"),
    Binding("n", "knew(False)", "Didn't know"),
    # Not ctrl+h: terminals send it as backspace, so it would never reach us.
    Binding("ctrl+o", "hint", "Hint"),
    Binding("ctrl+g", "give_up", "Give up"),
]
"""Inside a quiz session (questions, cards, numeric steps)."""

QUIZ: list[BindingType] = [
    *BACK,
    Binding("m", "retry_missed", "Quiz the missed"),
    Binding("a", "again", "Start over"),
    Binding("f", "fresh", "Fresh"),
]

HELP: list[BindingType] = [
    Binding("escape", "dismiss", "Close"),
    Binding("q", "dismiss", "Close"),
    Binding("question_mark", "dismiss", "Close", key_display="?"),
    # A modal screen does not reach the app's own scroll keys (the page keys are priority
    # bindings and do): the rest are repeated here.
    Binding("home", "app.scroll_body('home')", "Top", show=False),
    Binding("end", "app.scroll_body('end')", "Bottom", show=False),
    Binding("up,k", "app.scroll_body('up')", "Scroll up", show=False),
    Binding("down,j", "app.scroll_body('down')", "Scroll down", show=False),
]

EXPORT: list[BindingType] = [
    Binding("escape", "cancel", "Cancel"),
]

CALCULATOR: list[BindingType] = [
    *BACK,
    Binding("ctrl+l", "reset", "Lecture values"),
]

STATS: list[BindingType] = [
    *BACK,
    Binding("h", "held", "Suspended"),
]

HELD: list[BindingType] = [
    *BACK,
]

HELP_TEXT = """\
**Everywhere**: `ctrl+q` quit · `?` this help (outside an answer box) · `ctrl+p` command
palette (search "exercise", "practice", "stats", "theme", "help", "quit") · `ctrl+t`
light/dark (kept for next time) · `escape` back

**Scrolling**: `pageup`/`pagedown` (also while typing an answer) · `home`/`end` · `↑`/`↓` or
`k`/`j` when no box has the focus

**Home**: `↑`/`↓` choose a deck · `r` review due items · `q` quiz (schedule untouched) ·
`w` the deck's worked exercise · `p` practice fresh generated problems · `e` export to PDF ·
`c` tree calculator · `s` statistics · `escape` twice quits

**Review**: `space` reveal (after an exercise: continue) · `1` again · `2` hard · `3` good ·
`4` easy (each choice shows the interval it saves) · `u` or `ctrl+z` undo the last rating
(also inside an exercise) · `b` bury until tomorrow · `s` suspend (`studyapp unsuspend`
brings it back). Every rating is saved before the next item appears; cards you miss come back
in the same session.

**Quiz**: write your answer in the box first (for open questions), `ctrl+r` reveal, then `y` / `n`.
Numeric steps: type the number and press `enter`; type `?` and `enter`, or press `ctrl+o`, for
the hint; an empty `enter` or `ctrl+g` gives up. Answers like `1,024`, `2^10`, `log2(1024)` and
`10 levels` count. `escape` in the middle of an exercise asks before leaving it.

**Stats**: `h` lists suspended and buried items; `enter` on one brings it back.

**Calculator**: type in any box; everything updates as you type. `ctrl+l` restores the
lecture's model (context 8, embedding 10, hidden 68, vocab 27, batch 4).
"""
