"""The tree calculator screen: change the model's sizes and watch every number update."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

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
                yield DataTable(id="calc-summary", show_header=False, cursor_type="none")
                yield Label("Parameters: flat vs tree", classes="section-title")
                yield DataTable(id="calc-params", cursor_type="none")
                yield Label("Shapes layer by layer", classes="section-title")
                yield Static("The sequence halves and each position sees twice as many "
                             "characters at every level.", classes="explain")
                yield Static("", id="calc-note")
                yield DataTable(id="calc-shapes", cursor_type="none")
        yield KeyFooter(compact=True)

    _shown: dict[str, int] | None = None
    """The sizes whose numbers are on screen."""

    def on_mount(self) -> None:
        self.sub_title = "Tree calculator"
        self.query_one("#calc-summary", DataTable).add_columns("what", "value")
        self.query_one("#calc-params", DataTable).add_columns("layers", "flat", "tree")
        self.query_one("#calc-shapes", DataTable).add_columns(
            "layer", "output shape", "length", "sees"
        )
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
            self._shown = None
            # Say whose numbers are still on the right: not these sizes'.
            error.update(f"⚠ {problem}\n(dimmed: the numbers of the last sizes that worked)")
            error.add_class("shown")
            # Dim the numbers: they belong to the last sizes that made sense.
            self.query_one("#calc-results").add_class("stale")
            return
        self._shown = values
        error.update("")
        error.remove_class("shown")
        self.query_one("#calc-results").remove_class("stale")
        self.query_one("#calc-note", Static).update(view.note)
        summary = self.query_one("#calc-summary", DataTable)
        summary.clear()
        summary.add_rows([(what, render(value)) for what, value in view.summary])
        params = self.query_one("#calc-params", DataTable)
        params.clear()
        params.add_rows(view.params)
        shapes = self.query_one("#calc-shapes", DataTable)
        shapes.clear()
        shapes.add_rows(view.shapes)

    def action_reset(self) -> None:
        """Back to the lecture's model."""
        for name in FIELDS:
            self.query_one(f"#calc-{name}", Input).value = str(LECTURE[name])

    def action_back(self) -> None:
        self.dismiss()
