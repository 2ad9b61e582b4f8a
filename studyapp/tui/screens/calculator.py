"""The tree calculator screen: change the model's sizes and watch every number update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from studyapp import calc
from studyapp.mathtext import render
from studyapp.tui import bindings
from studyapp.tui.widgets.footer import KeyFooter

LECTURE = {"context": 8, "embedding": 10, "hidden": 68, "vocab": 27, "batch": 4, "arity": 2}
"""The model the lecture builds; the screen opens on it."""

FIELDS = ("context", "embedding", "hidden", "vocab", "batch", "arity")


@dataclass(frozen=True, slots=True)
class CalculatorView:
    """Everything the screen shows for one set of sizes (computed without any widget)."""

    summary: list[tuple[str, str]]
    params: list[tuple[str, str, str]]
    shapes: list[tuple[str, str, str, str]]
    note: str


def compute_view(values: dict[str, int]) -> CalculatorView:
    """All the calculator's numbers for these sizes; raises calc.CalcError for bad ones."""
    context, arity = values["context"], values["arity"]
    embedding, hidden, vocab, batch = (
        values["embedding"], values["hidden"], values["vocab"], values["batch"],
    )
    levels = calc.levels_needed(context, arity=arity)
    field = calc.receptive_field(levels, arity=arity)
    summary = [
        ("levels needed", f"{levels}   ({arity}^{levels} = {field:,} ≥ {context:,})"),
        ("receptive field", f"{field:,} characters per output"),
        ("flat input width", f"{calc.flat_input_width(context, embedding):,} numbers"),
        ("first fusion", f"{calc.fusion_input(embedding, arity):,} numbers in → "
                       f"{calc.fusion_output(hidden):,} out"),
    ]
    flat_total = calc.flat_params(vocab, context, embedding, hidden)
    note = ""
    try:
        tree_total: int | None = calc.tree_params(vocab, context, embedding, hidden, arity=arity)
        tree = calc.param_breakdown("tree", vocab, context, embedding, hidden, arity=arity)
        shapes_raw = calc.layer_shapes(batch, context, embedding, hidden, vocab, arity=arity)
    except calc.CalcError as error:
        tree_total, tree = None, []
        shapes_raw = calc.layer_shapes(
            batch, context, embedding, hidden, vocab, arity=arity, model="flat"
        )
        note = f"Tree model: {error}. Showing the flat model's shapes."
    flat = calc.param_breakdown("flat", vocab, context, embedding, hidden)
    params = [
        ("Embedding", f"{flat[0][1]:,}", f"{tree[0][1]:,}" if tree else "–"),
        (
            "hidden layers",
            f"{sum(n for name, n in flat[1:-1]):,}",
            f"{sum(n for name, n in tree[1:-1]):,}" if tree else "–",
        ),
        ("output Linear", f"{flat[-1][1]:,}", f"{tree[-1][1]:,}" if tree else "–"),
        ("total", f"{flat_total:,}", f"{tree_total:,}" if tree_total is not None else "–"),
    ]
    shapes = []
    sees = 1
    for name, shape in shapes_raw:
        if name == "FlattenConsecutive":
            sees *= arity
        elif name == "Flatten":
            sees = context
        positions = str(shape[1]) if len(shape) == 3 else "1"
        shapes.append((name, str(tuple(shape)), positions, f"{sees:,}"))
    return CalculatorView(summary, params, shapes, note)


def results_table(header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> Table:
    """Rows of results as a borderless table whose long numbers fold onto the next line
    rather than run past the screen's edge (at 80 columns the right pane is 56 wide, and a
    parameter count can be 31 characters); the first column, names, is kept whole."""
    table = Table(box=None, show_header=header is not None, show_edge=False, padding=(0, 1),
                  header_style="bold", expand=False)
    columns = len(header) if header is not None else len(rows[0]) if rows else 0
    for index in range(columns):
        table.add_column(header[index] if header is not None else "", no_wrap=index == 0,
                         overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


class CalculatorScreen(Screen[None]):
    """Six inputs on the left; levels, parameters and the shape table on the right."""

    CSS_PATH = "calculator.tcss"

    BINDINGS = bindings.CALCULATOR

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="calculator"):
            with Vertical(id="calc-inputs"):
                # One row per size, so all six fit (with the error) in 24 lines.
                for name in FIELDS:
                    with Horizontal(classes="field-row"):
                        yield Label(name, classes="field-label")
                        yield Input(str(LECTURE[name]), id=f"calc-{name}", type="integer",
                                    select_on_focus=True, compact=True)
                yield Static("", id="calc-error")
            with VerticalScroll(id="calc-results", classes="scroll-body"):
                # No numbers while a size is unusable: the last ones that worked, kept
                # beside the error, were read as the answer for the sizes shown.
                yield Static("No numbers until every size on the left works.",
                             id="calc-stale")
                yield Static("", id="calc-summary", classes="result")
                yield Label("Parameters: flat vs tree", classes="section-title result")
                yield Static("", id="calc-params", classes="result")
                yield Label("Shapes layer by layer", classes="section-title result")
                yield Static("The sequence halves and each position sees twice as many "
                             "characters at every level.", classes="explain result")
                yield Static("", id="calc-note", classes="result")
                yield Static("", id="calc-shapes", classes="result")
        yield KeyFooter(compact=True)

    _shown: dict[str, int] | None = None
    """The sizes whose numbers are on screen."""

    view: CalculatorView | None = None
    """The numbers on screen (None while a size is unusable)."""

    def on_mount(self) -> None:
        self.sub_title = "Tree calculator"
        self.refresh_results()
        self.query_one("#calc-context", Input).focus()

    def values(self) -> dict[str, int]:
        """The numbers typed so far; raises ValueError naming a box that is not a number."""
        result: dict[str, int] = {}
        for name in FIELDS:
            text = self.query_one(f"#calc-{name}", Input).value.strip()
            try:
                result[name] = int(text)
            except ValueError:
                raise ValueError(f"{name}: type a whole number") from None
        return result

    @on(Input.Changed)
    def refresh_results(self) -> None:
        """Recompute everything from the inputs; bad input shows a message in place."""
        error = self.query_one("#calc-error", Static)
        try:
            values = self.values()
            # Each box reports its first value as a change when it mounts: six redraws of
            # the same numbers made the screen slow to open.
            if values == self._shown:
                return
            view = compute_view(values)
        except (ValueError, calc.CalcError) as problem:
            self._shown = self.view = None
            error.update(f"⚠ {problem}")
            error.add_class("shown")
            self.query_one("#calc-results").add_class("stale")
            return
        self._shown, self.view = values, view
        error.update("")
        error.remove_class("shown")
        self.query_one("#calc-results").remove_class("stale")
        self.query_one("#calc-note", Static).update(view.note)
        self.query_one("#calc-summary", Static).update(
            results_table(None, [(what, render(value)) for what, value in view.summary]))
        self.query_one("#calc-params", Static).update(
            results_table(("layers", "flat", "tree"), view.params))
        self.query_one("#calc-shapes", Static).update(
            results_table(("layer", "output shape", "length", "sees"), view.shapes))

    def action_reset(self) -> None:
        """Back to the lecture's model."""
        for name in FIELDS:
            self.query_one(f"#calc-{name}", Input).value = str(LECTURE[name])

    def action_back(self) -> None:
        self.dismiss()
