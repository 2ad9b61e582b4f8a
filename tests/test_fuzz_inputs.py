"""Issue 13's property suite: deck YAML values of every type and size, raw YAML text, cache
and summary JSON, settings.toml and typed answers never raise anything but the documented
refusals, and every message stays one short line."""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from studyapp import __version__
from studyapp.deck.cache import cache_path, load_library_cached
from studyapp.deck.loader import load_deck_file, load_exercise_file
from studyapp.deck.summary import read_summary, summary_path
from studyapp.errors import DataError
from studyapp.grade import AnswerError, format_number, grade
from studyapp.settings import load_settings
from tests.conftest import REPO

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

big_ints = st.integers(min_value=-(10**4200), max_value=10**4200) | st.sampled_from(
    [10**999, 10**1000, -(10**4200), 2**64, 0, -1])
texts = st.text(max_size=60) | st.sampled_from(
    ["", " ", "\u200b", "-", "\x1b[2J", "0x" + "f" * 1200, "9" * 5000, ".inf", "~", "null",
     "{{c1::x}}", "{step:zz}", "a" * 3000])
scalars = (st.none() | st.booleans() | big_ints
           | st.floats(allow_nan=True, allow_infinity=True) | texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)

DECK: dict[str, Any] = {
    "id": "fuzz", "title": "Fuzz", "tags": ["t"],
    "questions": [{"id": "q", "prompt": "p", "answer": "a"}],
    "cards": [{"id": "c", "front": "f", "back": "b"}],
}
EXERCISE: dict[str, Any] = {
    "id": "fuzz", "title": "Fuzz", "params": {"context": [8, 16]},
    "steps": [{"id": "s", "prompt": "p", "answer": 3, "calc": "levels_needed(context={context})",
               "tolerance": 0}],
}
DECK_PLACES = [("id",), ("title",), ("tags", 0), ("questions", 0, "answer"),
               ("questions", 0, "id"), ("cards", 0, "front"), ("cards", 0, "back"),
               ("cards", 0), ("questions",)]
EXERCISE_PLACES = [("steps", 0, "answer"), ("steps", 0, "tolerance"), ("params", "context"),
                   ("params", "context", 0), ("steps", 0, "calc"), ("title",)]


def _with(template: dict[str, Any], place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data: Any = yaml.safe_load(yaml.safe_dump(template))
    node = data
    for part in place[:-1]:
        node = node[part]
    node[place[-1]] = value
    return data  # type: ignore[no-any-return]


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, width=10**6)
    except (ValueError, yaml.YAMLError):  # PyYAML cannot print ints over 4,300 digits
        return yaml.safe_dump({"id": "fuzz", "title": str(type(data))})


def _short_messages(problems: list[Any]) -> None:
    for problem in problems:
        assert "\n" not in problem.message
        assert len(problem.message) < 600, problem.message[:200]


@FUZZ
@given(st.sampled_from(DECK_PLACES), values)
def test_any_value_anywhere_in_a_deck_is_a_report(place: tuple[Any, ...], value: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(_dump(_with(DECK, place, value)), encoding="utf-8")
        report = load_deck_file(path)
        _short_messages(report.problems)


@FUZZ
@given(st.sampled_from(EXERCISE_PLACES), values)
def test_any_value_anywhere_in_an_exercise_is_a_report(place: tuple[Any, ...], value: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(_dump(_with(EXERCISE, place, value)), encoding="utf-8")
        report = load_exercise_file(path)
        _short_messages(report.problems)


@FUZZ
@given(st.text(max_size=400) | st.binary(max_size=400).map(lambda b: b.decode("latin-1")))
def test_any_yaml_text_is_a_report(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        _short_messages(load_deck_file(path).problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)


# Each example loads the library twice: fewer of them keep the suite's time modest.
@settings(FUZZ, max_examples=40)
@given(json_values.map(repr) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_cache_or_summary_content_is_rebuilt_from_the_yaml(body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "lib"
        (root / "decks").mkdir(parents=True)
        shutil.copy(REPO / "decks" / "wavenet.yaml", root / "decks")
        shutil.copytree(REPO / "exercises", root / "exercises")
        cache_dir = Path(folder) / "cache"
        load_library_cached(root, cache_dir)
        for path in (cache_path(cache_dir, root), summary_path(cache_dir, root)):
            path.write_text(body, encoding="utf-8", errors="surrogatepass")
        assert read_summary(root, cache_dir, __version__) is None
        assert "wavenet" in load_library_cached(root, cache_dir).decks


settings_values = (st.integers(min_value=-(10**4200), max_value=10**4200) | st.floats()
                   | st.text(max_size=20) | st.lists(st.text(max_size=5) | st.integers(),
                                                    max_size=12) | st.booleans())
SETTINGS_KEYS = ["new_items_per_day", "desired_retention", "learning_steps",
                 "relearning_steps", "learn_ahead_minutes", "nonsense"]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return format(value, "d") if abs(value) < 10**4000 else "9" * 5000  # too long for TOML
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    return "[" + ", ".join(_toml(v) for v in value) + "]"


@FUZZ
@given(st.sampled_from(SETTINGS_KEYS), settings_values, st.booleans())
def test_any_settings_value_loads_or_is_one_data_error(key: str, value: Any, raw: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        text = f"{key} = {_toml(value)}\n" if not raw else str(value)
        (Path(folder) / "settings.toml").write_text(text, encoding="utf-8",
                                                    errors="surrogatepass")
        try:
            load_settings(Path(folder))
        except DataError as error:
            assert "\n" not in str(error) and len(str(error)) < 600


@FUZZ
@given(st.text(max_size=80) | st.sampled_from(["9" * 5000, "1e999999", "2^99999999", "0x1f",
                                                "10**10**10", "sqrt(-1)", "log(0)"]),
       st.integers(min_value=-(10**300), max_value=10**300) | st.floats(allow_nan=False,
                                                                         allow_infinity=False),
       st.floats(min_value=0, max_value=1e300))
def test_any_typed_answer_grades_or_is_an_answer_error(
    text: str, expected: int | float, tolerance: float
) -> None:
    try:
        result = grade(text, expected, tolerance)
    except AnswerError as error:
        assert "\n" not in str(error)
        return
    assert len(format_number(result.value)) < 5000


# -- the importers and the plain quiz, through the command line ---------------------------
#
# `studyapp.cli.main` runs in this process, so hypothesis can try many inputs quickly; the
# command line is the contract (docs/cli.md), whatever the importers look like inside. An
# internal error there is caught by main and shows as exit 70 and "internal error".

IMPORTS = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])
PAGES = REPO / "tests" / "fixtures" / "pages"

#: Cell and field texts: ordinary text, and what spreadsheets, Anki and hostile files hold.
cells = st.text(max_size=30) | st.sampled_from(
    ["=1+1", "+1", "-", "-1", "@SUM(A1)", "\t=x", "\r=x", "'=x", "''", "{{c1::a}}",
     "{{c1::}}", "{{c2::b::hint}} {{c1::a}}", "a;b;c", '"', '""', "x\ny", "x\r\ny", "\r",
     "\x1b[2J", "\x85", "\x00", "\ufeff", "\u200b", " ", "", "9" * 5000, "<b>x</b>",
     "<img src=x.png>", "&amp;", "&#0;", "a" * 3000, "tag1 tag2", "::", "Q. x", "A. y"])


def _main(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """`studyapp ARGS` through cli.main in this process: exit code, stdout, stderr. The
    signal handlers main installs for the command are put back after it."""
    import contextlib
    import io
    import signal
    import sys

    from studyapp.cli import main

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    out, err = io.StringIO(), io.StringIO()
    real_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse: --help, usage errors
                code = stop.code if isinstance(stop.code, int) else 2
    finally:
        sys.stdin = real_stdin
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return code, out.getvalue(), err.getvalue()


def _refused_or_done(code: int, out: str, err: str) -> None:
    """What every command may do with any input: work (0), refuse the data (1) or the
    command line (2), each refusal in short lines; never an internal error."""
    event(f"exit {code}")  # --hypothesis-show-statistics: how often inputs get through
    assert code in (0, 1, 2), (code, err[-800:])
    assert "internal error" not in err and "Traceback" not in out + err, err[-800:]
    assert all(len(line) < 1000 for line in err.splitlines()), err[:300]


def _loads_cleanly(path: Path) -> None:
    """An import that says it wrote a deck wrote one `check` takes."""
    report = load_deck_file(path)
    assert report.model is not None, report.problems
    assert not [p for p in report.problems if p.severity == "error"], report.problems


#: Texts a careful user's file holds: any printable text, formulas, markup, long cells.
fair_cells = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                     max_size=30) | st.sampled_from(
    ["=1+1", "+1", "-1", "@SUM(A1)", "'=x", "{{c1::a}}", "a;b;c", '"', "x\ny", "x\r\ny",
     "<b>x</b>", "&amp;", "a" * 3000, "9" * 5000, "tag1 tag2", "::", "Q. x", "x\ty"])


def _hostile(draw: st.DrawFn) -> bool:
    """One file in four is hostile all through; the others are fair, so most get past the
    first row and exercise the whole importer."""
    return bool(draw(st.integers(0, 3)) == 0)


CSV_HEADERS = [["kind", "id", "front", "back", "tags", "fact"], ["kind", "front", "back"],
               ["kind", "id", "front", "back", "tags"]]
_CSV_FAIR = {
    "kind": st.sampled_from(["question", "card", "reversed", "cloze"]),
    "tags": st.sampled_from(["", "t", "t;u"]),
    "fact": st.sampled_from(["", "f"]),
}
_CSV_HOSTILE = {
    "kind": st.sampled_from(["Card", "", "note", "CLOZE"]) | cells,
    "id": st.sampled_from(["Upper", "exercise:ex", "x#reverse", "a" * 300]) | cells,
    "tags": st.sampled_from(["a b", "#x", ";;", "x" * 200]) | cells,
    "fact": st.sampled_from(["Bad Fact", "f;g"]) | cells,
}


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    """A spreadsheet's CSV: mostly the columns `export csv` writes, rows of any text."""
    import csv
    import io

    hostile = _hostile(draw)
    columns, text = (_CSV_HOSTILE, cells) if hostile else (_CSV_FAIR, fair_cells)
    header = draw(st.sampled_from(CSV_HEADERS) if not hostile
                  else st.sampled_from(CSV_HEADERS) | st.lists(st.text(max_size=8), max_size=6))
    rows = []
    for number in range(draw(st.integers(0 if hostile else 1, 8))):
        row: list[str] = []
        for column in header:
            if column == "front" and row[:1] == ["cloze"]:
                row.append(draw(text) + " {{c1::" + draw(text) + "}}")
            elif column == "back" and row[:1] == ["cloze"] and not hostile:
                row.append("")  # a cloze keeps its text in front
            elif column == "id" and not hostile:
                row.append(draw(st.sampled_from(["", f"i{number}"])))  # ids must be unique
            else:
                row.append(draw(columns.get(column, text)))
        if hostile and draw(st.booleans()):  # a row that does not fit the header
            row = row[:-1] if draw(st.booleans()) else [*row, draw(cells)]
        rows.append(row)
    buffer = io.StringIO()
    ending = draw(st.sampled_from(["\r\n", "\n"]))
    writer = csv.writer(buffer, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(rows)
    preamble = [] if not hostile else draw(st.sampled_from(
        [[], ["#separator:comma", "#html:false"], ["#columns:Front,Back"], ["#separator:tab"]]))
    return "".join(line + ending for line in preamble) + buffer.getvalue()


@IMPORTS
@given(csv_files().map(lambda text: text.encode("utf-8", "surrogatepass"))
       | st.binary(max_size=300))
# found by this suite: a 5,000-digit kind was quoted whole in the refusal
@example(b"kind,front,back\r\n" + b"9" * 5000 + b",,\r\n")
def test_any_csv_file_imports_or_is_refused(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "deck.csv", Path(folder) / "out.yaml"
        source.write_bytes(raw)
        code, out, err = _main("--data-dir", folder, "import", "csv", str(source), "-o",
                               str(output), "--force")
        _refused_or_done(code, out, err)
        if code == 0:
            _loads_cleanly(output)


@st.composite
def text_exports(draw: st.DrawFn) -> str:
    """Anki's "Notes in Plain Text" (its header lines, then separated fields) or a two-column
    term/definition file (Quizlet), one in four hostile all through."""
    hostile = _hostile(draw)
    text = cells if hostile else fair_cells
    if draw(st.booleans()):  # Quizlet: term, separator, definition; nothing else
        rows = draw(st.lists(st.tuples(text, text), min_size=0 if hostile else 1, max_size=8))
        return "".join(f"{term}\t{definition}\n" for term, definition in rows
                       if hostile or "\t" not in term)
    separator = draw(st.sampled_from(["tab", "comma", "semicolon", "pipe"] if not hostile
                                     else ["space", "Colon", ";;", "", "tab"]))
    headers = [f"#separator:{separator}", *draw(st.lists(st.sampled_from(
        ["#html:true", "#html:false", "#tags column:3", "#notetype:Basic"] if not hostile else
        ["#html:maybe", "#columns:", "#tags column:0", "#tags column:-1", "#tags column:x",
         "#tags column:" + "9" * 5000, "#guid column:1", "#notetype column:2",
         "#deck column:3", "#deck column:1", "#unknown:1", "#", "##x"]), max_size=4))]
    mark = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ",
            "Colon": ":"}.get(separator, "\t")
    rows = draw(st.lists(st.lists(text, min_size=2, max_size=3), min_size=0 if hostile else 1,
                         max_size=8))
    body = "".join(
        mark.join('"' + c.replace('"', '""') + '"' if mark in c or '"' in c or "\n" in c
                  else c for c in row) + "\n"
        for row in rows)
    return "".join(f"{h}\n" for h in headers) + body


@IMPORTS
@given(text_exports() | st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
       st.none() | st.none() | st.sampled_from(["tab", "comma", ";", "|", "  ", "x" * 50,
                                                "\\t"]))
# found by this suite: a column number int() refuses (5,000 digits, "²")
@example("#separator:tab\n#tags column:" + "9" * 5000 + "\nfront\tback\n", None)
@example("#separator:tab\n#tags column:²\nfront\tback\n", None)
def test_any_text_export_imports_or_is_refused(text: str, separator: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "notes.txt", Path(folder) / "out.yaml"
        source.write_bytes(text.encode("utf-8", "surrogatepass"))
        option = [] if separator is None else ["--separator", separator]
        code, out, err = _main("--data-dir", folder, "import", "text", str(source), "-o",
                               str(output), "--force", *option)
        _refused_or_done(code, out, err)
        if code == 0:
            _loads_cleanly(output)


_HOSTILE_PAGE_LINES = [
    "Q.", "A.", "Q. " + "why " * 500 + "?", "A. " + "9" * 5000, "Show answer", "<details>",
    "</details>", "<details><summary>Show answer</summary>", "**Setup.**", "**Steps.**",
    "**Expected outcome.**", "Setup.", "Steps.", "Expected outcome.", "1. 2^4 = 16 -> 4 levels",
    "2. x -> 99999999999999999999999999 levels", "3. -> 1e400 numbers", "4. -> -0 layers",
    "1. " + "9" * 5000, "999. x -> 3", "1) y -> 2 characters", "# ", "#" * 7 + " deep",
    "# " + "T" * 500, "- ", "   ", "\t", "\x1b[2J", "\x85", "\u2028", "Menu", "Skip to content",
    "1. How many?", "2. And 3 -> 3 levels, 4 -> 4 levels", "(tree: 4, 6, 10 levels)",
]
_HOSTILE_HTML = [
    "<details>", "</details>", "<summary>Show answer</summary>", "<summary>", "</summary>",
    "<ol start='²'>", "<ol start='" + "9" * 5000 + "'>", "<ol>", "</ol>", "<li>", "</li>",
    "<ul>", "<p>", "</p>", "<br>", "<div>" * 50, "</div>" * 50, "<script>alert(1)",
    "<![CDATA[x]]>", "<!--", "-->", "&#0;", "&#x1b;", "&#xd800;", "&#99999999;", "&bogus;",
    "<table><tr><td>Q. x</td><td>A. y</td></tr></table>", "<pre>Q. a\nA. b</pre>",
    "<h1>", "</h1>", "<img src=a.png>", "<details open>", "<a href='javascript:x'>",
]
#: The real practice pages, as lines (text and Markdown) and as tags and texts (HTML).
_PAGE_PIECES = {
    name: (re.findall(r"<[^>]*>|[^<]+", text) if name.endswith(".html")
           else text.split("\n"))
    for name in ("wavenet-practice-page.md", "wavenet-practice-page.txt",
                 "crlf-no-heading.txt", "wavenet-practice-page.html")
    for text in [(PAGES / name).read_text("utf-8")]
}


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, str]:
    """A real practice page with a few edits (pieces dropped, repeated, moved, or hostile
    ones put in), or bytes of any kind: the page keeps its parts often enough for the
    importer to build questions, cards and exercises from what is left."""
    name = draw(st.sampled_from(sorted(_PAGE_PIECES)))
    pieces = list(_PAGE_PIECES[name])
    hostile = _HOSTILE_HTML if name.endswith(".html") else _HOSTILE_PAGE_LINES
    for _ in range(draw(st.integers(0, 8))):
        where = draw(st.integers(0, len(pieces)))
        edit = draw(st.sampled_from(["drop", "repeat", "move", "insert", "text"]))
        if edit == "insert":
            pieces.insert(where, draw(st.sampled_from(hostile)))
        elif edit == "text":
            pieces.insert(where, draw(st.text(max_size=30)))
        elif pieces and where < len(pieces):
            piece = pieces.pop(where) if edit in ("drop", "move") else pieces[where]
            if edit != "drop":
                pieces.insert(draw(st.integers(0, len(pieces))), piece)
    joiner = "" if name.endswith(".html") else draw(st.sampled_from(["\n", "\r\n"]))
    return name, joiner.join(pieces)


@IMPORTS
@given(pages() | st.binary(max_size=300).map(lambda b: ("page.txt", b.decode("latin-1"))))
# found by this suite: a second "Show answer" right after the first (StopIteration)
@example(("page.md", "# T\n\n1. Why?\n\nShow answer\n\nShow answer\n\nBecause.\n"))
# found by hand: HTML nested deeper than BeautifulSoup and markdownify recurse
@example(("page.html", "<html><body>" + "<div>" * 5000 + "<p>Q. x?</p><p>A. y</p>"))
# found by this suite: numbers of 5,000 digits in an expected outcome and in a step
@example(("page.md", "# T\n\n**Setup.** S.\n\n**Steps.**\n\n1. How many " + "9" * 5000
          + " levels?\n\n**Expected outcome.**\n\n1. " + "9" * 5000 + "\n"))
# found by hand: an <ol start> that int() refuses
@example(("page.html", "<html><body><h1>T</h1><ol start='²'><li>Why?<details><summary>Show "
                       "answer</summary><p>Because.</p></details></li></ol>"))
def test_any_page_imports_or_is_refused(page: tuple[str, str]) -> None:
    name, text = page
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / name
        source.write_bytes(text.encode("utf-8", "surrogatepass"))
        output = Path(folder) / "lib" / "decks" / "page.yaml"
        output.parent.mkdir(parents=True)
        code, out, err = _main("--data-dir", folder, "import", "page", str(source), "-o",
                               str(output), "--force")
        _refused_or_done(code, out, err)
        if code == 0:
            _loads_cleanly(output)
            for exercise in (output.parent.parent / "exercises").glob("*.yaml"):
                report = load_exercise_file(exercise)
                assert not [p for p in report.problems if p.severity == "error"], (
                    report.problems)


answers_typed = st.text(max_size=30) | st.sampled_from(
    ["", "?", "4", "4 levels", "1,024", "2^4", "2**4", "log2(16)", "3.0", "1e3", "9" * 5000,
     "1e999999", "2^99999999", "10**10**10", "((((((((((1))))))))))", "(" * 5000, "٣", "４",
     "6 banana", "4 or 5", "-0", "0x10", "1_000", "nan", "inf", "\x1b[2J", "sqrt(-1)"])


@IMPORTS
@given(st.lists(answers_typed, max_size=14), st.booleans())
def test_any_answers_typed_to_numeric_steps_are_graded_or_refused(
    lines: list[str], practice: bool
) -> None:
    mode = ["--practice", "3", "--seed", "7"] if practice else ["--exercise", "wavenet-depth"]
    with tempfile.TemporaryDirectory() as folder:
        code, out, err = _main("--data-dir", folder, "--library", str(REPO), "quiz",
                               "wavenet", "--plain", *mode,
                               stdin="".join(line.replace("\n", " ") + "\n" for line in lines))
    _refused_or_done(code, out, err)
    assert code == 0, err
    assert re.fullmatch(r"score: \d+/\d+", out.rstrip("\n").splitlines()[-1]), out[-300:]


# -- inputs of every size, each in a process of its own, under resource limits -------------
#
# Sizes no generator above reaches (megabytes, tens of thousands of items, nesting and
# aliases that multiply): each runs the installed command in a subprocess whose peak memory
# is read back from the kernel (getrusage) and whose CPU time is bounded by RLIMIT_CPU, so
# a hang is killed by its CPU budget (no wall clock) and shows as a signal, not a pass.

MAX_RSS_MB = 200
CPU_SECONDS = 20


#: Runs the command as its only child and writes "EXIT PEAK_KB" to a file: the peak read
#: here (RUSAGE_CHILDREN) is that child's alone. Measured from the test process directly,
#: a child would carry the test process's own peak across fork and exec.
_MEASURE = """\
import resource, subprocess, sys
for limit, value in ((resource.RLIMIT_CPU, int(sys.argv[2])), (resource.RLIMIT_AS, 2 << 30)):
    resource.setrlimit(limit, (value, value))
code = subprocess.call(sys.argv[3:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as out:
    out.write(f"{code} {peak}")
"""


def _limited(args: list[str], cwd: Path, data_dir: Path, stdin: bytes = b""
             ) -> tuple[int, str, float]:
    """Exit code, stderr and peak resident memory (MB) of `studyapp ARGS` run in `cwd`
    with at most CPU_SECONDS of CPU (and 2 GiB of address space, so a runaway stops)."""
    import os
    import subprocess
    import sys

    from tests.conftest import studyapp_command

    env = {**os.environ, "STUDYAPP_DATA_DIR": str(data_dir), "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "usage"
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, str(report), str(CPU_SECONDS),
             *studyapp_command(), *args],
            input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd,
            check=False,
        )
        code, peak_kb = (int(part) for part in report.read_text().split())
    return code, done.stderr.decode("utf-8", "replace"), peak_kb / 1024


def _deck(cards: str, extra: str = "") -> str:
    return f"id: big\ntitle: Big\n{extra}cards:\n{cards}"


_WORDS = "alpha beta gamma delta " * 250_000  # 5.75 MB of text
HUGE_INPUTS: dict[str, tuple[str, str, list[str], bytes]] = {
    # name: (file name, content, command (FILE is the file), stdin)
    "deck: one 5 MB text": (
        "decks/big.yaml", _deck(f"  - id: a\n    front: \"{_WORDS}\"\n    back: b\n"),
        ["review", "big", "--plain"], b"\n3\n"),
    "deck: 20,000 cards": (
        "decks/big.yaml", _deck("".join(f"  - id: c{i}\n    front: f{i}\n    back: b\n"
                                        for i in range(20_000))),
        ["review", "big", "--plain"], b"\n3\n" * 3),
    "deck: lists nested 5,000 deep": (
        "decks/big.yaml", _deck("  - id: a\n    front: f\n    back: b\n",
                                "tags: " + "[" * 5000 + "]" * 5000 + "\n"), ["check"], b""),
    "deck: aliases that multiply (a billion laughs)": (
        "decks/big.yaml", "id: big\ntitle: L\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
            for i in range(9)), ["check"], b""),
    "deck: a key of 1 MB": ("decks/big.yaml", "id: big\ntitle: K\n" + "k" * 1_000_000 + ": 1\n",
                            ["check"], b""),
    "exercise: 1,000 params of 999 digits, arity 3 (cause 7)": (
        "exercises/big3.yaml", "id: big3\ntitle: Big\nparams:\n  context: ["
        + ", ".join(str(3**2090 + i) for i in range(1000)) + "]\nsteps:\n  - id: s\n"
        "    prompt: p {context}\n    answer: 3\n"
        "    calc: levels_needed(context={context}, arity=3)\n", ["check"], b""),
    "settings: nested 5,000 deep": (
        "data/settings.toml", "learning_steps = " + "[" * 5000 + "]" * 5000 + "\n",
        ["review", "wavenet", "--plain"], b"q\n"),
    "csv: 5,000 rows": (
        "in.csv", "kind,front,back\r\n" + "".join(f"card,front {i},back {i}\r\n"
                                                for i in range(5000)),
        ["import", "csv", "FILE", "-o", "out.yaml"], b""),
    "csv: one cell of 1 MB": ("in.csv", "kind,front,back\r\ncard,f," + "word " * 200_000 + "\r\n",
                              ["import", "csv", "FILE", "-o", "out.yaml"], b""),
    "text: 5,000 lines": ("in.txt", "".join(f"term {i}\tdefinition {i}\n" for i in range(5000)),
                          ["import", "text", "FILE", "-o", "out.yaml"], b""),
    "text: one line of 1 MB": ("in.txt", "term\t" + "word " * 200_000 + "\n",
                               ["import", "text", "FILE", "-o", "out.yaml"], b""),
    "page: 2,000 identical questions": (
        "in.md", "# T\n\n" + "Q. The same question?\nA. The same answer.\n\n" * 2000,
        ["import", "page", "FILE", "-o", "lib/decks/page.yaml"], b""),
    "page: an answer of 1 MB": ("in.md", "# T\n\nQ. What?\nA. " + "word " * 200_000 + "\n",
                                ["import", "page", "FILE", "-o", "lib/decks/page.yaml"], b""),
    "page: HTML nested 20,000 deep": (
        "in.html", "<html><body>" + "<div>" * 20_000 + "<p>Q. x?</p><p>A. y</p>",
        ["import", "page", "FILE", "-o", "lib/decks/page.yaml"], b""),
    "answers: a line of 1 MB, then 2,000 hints asked": (
        "unused.txt", "", ["quiz", "wavenet", "--plain", "--exercise", "wavenet-depth"],
        b"9" * 1_000_000 + b"\n" + b"?\n" * 2000),
}


@pytest.mark.parametrize("name", sorted(HUGE_INPUTS))
def test_inputs_of_every_size_stay_within_memory_and_cpu(tmp_path: Path, name: str) -> None:
    file_name, content, command, stdin = HUGE_INPUTS[name]
    (tmp_path / "data").mkdir()
    (tmp_path / "lib" / "decks").mkdir(parents=True)
    if file_name.startswith(("decks/", "exercises/")):
        shutil.copytree(REPO / "decks", tmp_path / "decks")
        shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    target = tmp_path / file_name
    target.write_text(content, encoding="utf-8")
    args = [str(target) if part == "FILE" else part for part in command]
    code, err, peak = _limited(args, tmp_path, tmp_path / "data", stdin)
    assert code >= 0, f"killed by signal {-code} (over {CPU_SECONDS} s of CPU?): {err[-300:]}"
    assert code in (0, 1), err[-500:]
    assert "internal error" not in err and "Traceback" not in err, err[-500:]
    assert peak < MAX_RSS_MB, f"{peak:.0f} MB"
