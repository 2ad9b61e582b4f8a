"""The stats screen: heatmap, due forecast, retention, streak and item counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Label, Static

from studyapp.errors import StudyappError
from studyapp.stats import FORECAST_DAYS, HEATMAP_DAYS, compute_stats
from studyapp.tui import bindings
from studyapp.tui.widgets.footer import KeyFooter
from studyapp.tui.widgets.forecast import ForecastChart
from studyapp.tui.widgets.heatmap import Heatmap

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp


class StatsScreen(Screen[None]):
    """Statistics of one deck, or of the whole library."""

    CSS_PATH = "stats.tcss"

    BINDINGS = bindings.STATS

    def __init__(self, deck_id: str | None = None) -> None:
        super().__init__()
        self.deck_id = deck_id
        self._from_top = False

    def reopen(self, deck_id: str | None) -> None:
        """Show this deck's statistics, from the top, when the screen next shows (the app
        keeps one stats screen and opens it again)."""
        self.deck_id = deck_id
        self._from_top = True

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats", classes="scroll-body"):
            yield Static("", id="stats-summary", classes="figure")
            yield Label(f"Reviews per day (last {HEATMAP_DAYS // 7} weeks)",
                        classes="section-title")
            yield Heatmap("", id="stats-heatmap", classes="figure")
            yield Label(f"Due in the next {FORECAST_DAYS} days", classes="section-title")
            yield ForecastChart("", id="stats-forecast", classes="figure")
        yield KeyFooter(compact=True)

    def on_screen_resume(self) -> None:
        # Every time it shows: reviews done (or items unsuspended) since change the figures.
        if self._from_top:
            self._from_top = False
            self.query_one("#stats", VerticalScroll).scroll_home(animate=False)
        self.show_stats()

    def show_stats(self) -> None:
        """Compute and draw the figures."""
        app = cast("StudyApp", self.app)
        self.sub_title = f"Stats · {self.deck_id or 'all decks'}"
        summary = self.query_one("#stats-summary", Static)
        heatmap = self.query_one("#stats-heatmap", Heatmap)
        forecast = self.query_one("#stats-forecast", ForecastChart)
        store = app.read_store
        try:
            if store is None or app.library is None:
                raise StudyappError(app.store_error or "the library is still loading")
            stats = compute_stats(store, app.library, app.clock(), self.deck_id)
        except StudyappError as error:
            summary.update(f"⚠ {error}")
            # No figures of an earlier showing beside the warning.
            heatmap.update("")
            forecast.update("")
            return
        retention = "–" if stats.retention is None else f"{stats.retention:.0%}"
        summary.update(
            f"{stats.reviews} reviews ({stats.reviews_today} today) · streak {stats.streak} "
            f"day{'s' if stats.streak != 1 else ''} · retention {retention} (30 days)\n"
            f"{stats.due} due now · {stats.items} items: {stats.new} new, "
            f"{stats.learning} learning, {stats.review} in review"
            + (f"\n{stats.buried} buried until tomorrow · {stats.suspended} suspended (h lists "
               "them)" if stats.buried or stats.suspended else "")
            + (f" · {stats.orphans} orphaned histories kept" if stats.orphans else "")
        )
        heatmap.show(stats.per_day)
        forecast.show(stats.forecast)

    def action_held(self) -> None:
        cast("StudyApp", self.app).open_held()

    def action_back(self) -> None:
        self.dismiss()
