"""Math as math: `2^k`, `x_i`, `log2(N)` written as plain text shown as 2ᵏ, xᵢ, log₂(N).

Pure text in, text (or marked-up pieces) out; the TUI, plain mode and the PDF all use it.
Only what reads unambiguously as math is changed:

* `^` after a digit, letter or `)` followed by a number (`2^10`, `2^-1`), a single letter
  standing alone (`2^k`, not `2^levels`) or a parenthesised group without nesting
  (`2^(n+1)`);
* `_` after a single letter standing alone, followed by one letter or digit, digits, or a
  braced group (`x_i`, `h_12`, `x_{t-1}`), so names like `new_items` are left alone;
* `log2(`, `log10(`, `log_2(` become `log₂(`, `log₁₀(`, and so do `log2` before a space
  and a word or number (`log2 of N`, `log2 N`): the base of a logarithm in prose.

When Unicode has no superscript (or subscript) for a character of the group, the group is
left as typed: `2^(q)` stays `2^(q)`, which is as readable as it was. Markdown code spans
(`` `2^k` ``) and fenced code blocks are never touched, and neither is anything the
learner typed (callers pass only the material's own text).
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["text", "sup", "sub"]
Piece = tuple[str, Kind]

SUPERSCRIPTS = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
    strict=True,
))
"""Every character Unicode has a superscript for (no q, and few capitals)."""
SUBSCRIPTS = dict(zip(
    "0123456789+-=()aehijklmnoprstuvx",
    "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ",
    strict=True,
))
"""Every character Unicode has a subscript for."""

# Code spans (any run of backticks up to the same run) and fenced blocks are kept whole.
_CODE = re.compile(r"^(```|~~~).*?(?:^\1[ \t]*$|\Z)|(`+).+?\2", re.DOTALL | re.MULTILINE)
_MATH = re.compile(
    r"(?P<logbase>\blog)_?(?P<logsub>\d+)(?=\(|[ \t]+\w)"
    r"|(?<=[\w)])\^(?:(?P<supnum>-?\d+)(?!\w)(?!\.\d)"
    r"|(?P<supvar>[A-Za-z])(?!\w)|\((?P<supgroup>[^()\s]{1,20})\))"
    r"|(?<![\w.])(?P<subbase>[A-Za-z])_(?:\{(?P<subgroup>[^{}\s]{1,20})\}"
    r"|(?P<subnum>\d+)(?!\w)(?!\.\d)|(?P<subvar>[A-Za-z0-9])(?!\w))"
)


def pieces(text: str) -> list[Piece]:
    """`text` cut into plain runs and superscript/subscript runs (code left as plain)."""
    out: list[Piece] = []
    position = 0
    for code in _CODE.finditer(text):
        out += _math_pieces(text[position:code.start()])
        out.append((code.group(), "text"))
        position = code.end()
    out += _math_pieces(text[position:])
    return _merge(out)


def render(text: str) -> str:
    """`text` with its math in Unicode superscripts and subscripts (see the module doc)."""
    if "^" not in text and "_" not in text and "log" not in text:
        return text  # the common case: nothing to do, no regex work
    return "".join(_unicode(piece, kind) for piece, kind in pieces(text))


def _unicode(text: str, kind: Kind) -> str:
    if kind == "sup":
        return "".join(SUPERSCRIPTS[ch] for ch in text)
    if kind == "sub":
        return "".join(SUBSCRIPTS[ch] for ch in text)
    return text


def _math_pieces(text: str) -> list[Piece]:
    out: list[Piece] = []
    position = 0
    for match in _MATH.finditer(text):
        found = _convert(match)
        if found is None:
            continue  # no Unicode for it: leave as typed
        out.append((text[position:match.start()], "text"))
        out += found
        position = match.end()
    out.append((text[position:], "text"))
    return out


def _convert(match: re.Match[str]) -> list[Piece] | None:
    """The pieces for one match, or None when a character has no Unicode form."""
    if match["logbase"]:
        return [(match["logbase"], "text"), (match["logsub"], "sub")]
    sup = match["supnum"] or match["supvar"]
    if sup:
        return [(sup, "sup")] if all(ch in SUPERSCRIPTS for ch in sup) else None
    group = match["supgroup"]
    if group:
        whole = f"({group})"
        return [(whole, "sup")] if all(ch in SUPERSCRIPTS for ch in whole) else None
    base = match["subbase"]
    sub = match["subgroup"] or match["subnum"] or match["subvar"]
    if base and sub and all(ch in SUBSCRIPTS for ch in sub):
        return [(base, "text"), (sub, "sub")]
    return None


def _merge(found: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for text, kind in found:
        if not text:
            continue
        if merged and merged[-1][1] == kind:
            merged[-1] = (merged[-1][0] + text, kind)
        else:
            merged.append((text, kind))
    return merged
