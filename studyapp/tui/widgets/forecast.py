"""A bar chart of reviews falling due on each of the coming days, drawn with block cells."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"
HEIGHT = 6


def render_forecast(forecast: dict[date, int], height: int = HEIGHT) -> Text:
    """One column per day (today first), `height` rows of eighth-blocks, axis labels below."""
    days = sorted(forecast)
    counts = [forecast[d] for d in days]
    peak = max(counts, default=0)
    text = Text()
    if peak == 0:
        text.append("nothing falls due in the next days", style="bright_black")
        return text
    for row in range(height, 0, -1):
        label = f"{peak:>4} " if row == height else "     "
        text.append(label, style="bright_black")
        for count in counts:
            eighths = round(count * height * 8 / peak)
            filled = eighths - (row - 1) * 8
            cell = BLOCKS[max(0, min(8, filled))]
            text.append(cell + " ", style="cyan" if days and count else "bright_black")
        text.append("\n")
    axis = "     today" + " " * max(0, 2 * len(days) - 10 - len(f"+{len(days) - 1}d"))
    text.append(axis + f"+{len(days) - 1}d", style="bright_black")
    return text


class ForecastChart(Static):
    """Reviews due per day for the next weeks."""

    def show(self, forecast: dict[date, int]) -> None:
        """Draw these counts."""
        self.update(render_forecast(forecast))
