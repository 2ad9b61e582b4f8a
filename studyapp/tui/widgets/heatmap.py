"""A calendar heatmap of reviews per day, drawn with terminal cells (weeks as columns)."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.widgets import Static

# One glyph per level, so the levels differ without colour (and in the legend).
SHADES = ("·", "░", "▒", "▓", "█")
COLOURS = ("bright_black", "green", "green", "bright_green", "bold bright_green")
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def intensity(count: int, peak: int) -> int:
    """0 for no reviews, else 1–4 by quarter of the busiest day."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (4 * (count - 1)) // max(peak, 1))


def render_heatmap(per_day: dict[date, int]) -> Text:
    """Weeks left to right, Monday at the top; a legend underneath."""
    if not per_day:
        return Text("no reviews yet")
    days = sorted(per_day)
    first = days[0] - timedelta(days=days[0].weekday())
    weeks = (days[-1] - first).days // 7 + 1
    peak = max(per_day.values())
    text = Text()
    # Month names above the week where each month starts, where there is room.
    header = [" "] * (2 * weeks + 3)
    last_month = None
    free_from = 0
    for week in range(weeks):
        monday = first + timedelta(weeks=week)
        if monday.month != last_month and 2 * week >= free_from:
            name = monday.strftime("%b")
            header[2 * week : 2 * week + len(name)] = list(name)
            free_from = 2 * week + len(name) + 1
        last_month = monday.month
    months = Text("    " + "".join(header).rstrip())
    text.append_text(months)
    text.append("\n")
    for weekday in range(7):
        text.append(f"{WEEKDAYS[weekday]:<4}", style="bright_black")
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            if day not in per_day:
                text.append("  ")
                continue
            level = intensity(per_day[day], peak)
            text.append(SHADES[level] + " ", style=COLOURS[level])
        text.append("\n")
    text.append("    less ", style="bright_black")
    for level in range(5):
        text.append(SHADES[level] + " ", style=COLOURS[level])
    busiest = (f"busiest day: {peak} review{'s' if peak != 1 else ''}" if peak
               else "no reviews yet")
    text.append(f"more   ({busiest})", style="bright_black")
    return text


class Heatmap(Static):
    """Reviews per day over the last weeks."""

    def show(self, per_day: dict[date, int]) -> None:
        """Draw these counts."""
        self.update(render_heatmap(per_day))
