"""A drill's problem sheet and key as Markdown, and as JSON. Layout only: every question,
answer and working line comes from exercises/drills.py (and through it from the solvers)."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the drill calls these renderers: its module is not imported here
    from ..exercises.drills import Drill


WIDTH = 80  # the files wrap their prose here, whatever the terminal


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """`text` in lines of at most WIDTH, never broken inside `n x n`."""
    lines = textwrap.wrap(text.replace(" x ", "\0x\0"), WIDTH, initial_indent=first, subsequent_indent=rest,
                          break_long_words=False, break_on_hyphens=False)
    return [line.replace("\0", " ") for line in lines]


def _head(d: Drill, what: str) -> list[str]:
    return [f"# {what}: {d.title.lower() if what == 'Key' else d.title}", "",
            f"Drill `{d.drill}`, seed {d.seed}, {len(d.problems)} problem{'' if len(d.problems) == 1 else 's'}.", ""]


def sheet_markdown(d: Drill) -> str:
    """The numbered problems with room for each answer."""
    lines = _head(d, "Drill") + _wrap(d.task) + [""]
    for p in d.problems:
        lines += _wrap(p.question, f"{p.number}. ", "   ") + ["", "   Answer: ____________", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def key_markdown(d: Drill) -> str:
    """Each problem, its answer in bold, and the working one line per bullet."""
    lines = _head(d, "Key")
    for p in d.problems:
        lines += _wrap(f"{p.question} **{p.answer}**", f"{p.number}. ", "   ") + [""]
        lines += [line for w in p.working if w for line in _wrap(w, "   - ", "     ")] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def drill_dict(d: Drill) -> dict[str, Any]:
    return {"drill": d.drill, "seed": d.seed, "title": d.title, "task": d.task,
            "problems": [{"number": p.number, "question": p.question, "answer": p.answer,
                          "values": dict(p.values), "working": [w for w in p.working if w]}
                         for p in d.problems]}
