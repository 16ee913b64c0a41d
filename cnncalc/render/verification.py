"""verify's report: the inferred and executed shapes side by side, as JSON or a rich table."""
from __future__ import annotations

import json
from typing import Any

from ..errors import visible
from ..shapes import fmt_shape


def verification_rows(v) -> list[dict[str, Any]]:
    """One row per executor.Check."""
    return [{
        "index": c.result.layer.index, "name": c.result.layer.name, "kind": c.result.layer.kind,
        "inferred_shape": list(c.result.output_shape),
        "executed_shape": None if c.executed_shape is None else list(c.executed_shape),
        "weights": c.weights, "params": c.result.params, "agree": c.agree,
        "ms": round(c.seconds * 1000, 3), **({"error": c.error} if c.error else {}),
    } for c in v.checks]


def verification_dict(v) -> dict[str, Any]:
    """`cnncalc verify --format json`: every layer's row, the verdict and the totals."""
    rows = verification_rows(v)
    bad = [r for r in rows if not r["agree"]]
    return {"name": v.spec.name, "input": list(v.spec.input), "batch": v.batch, "seed": v.seed,
            "layers": rows, "agree": not bad, "disagreements": len(bad),
            "weights": sum(r["weights"] for r in rows), "params": sum(r["params"] for r in rows),
            "seconds": round(v.seconds, 4)}


def verification_json(v) -> str:
    return json.dumps(verification_dict(v), indent=2) + "\n"


def print_verification(v, width: int | None = None, console=None) -> None:
    """The verify table, the errors of failed layers and the verdict, on the terminal (or on
    `console`, a rich Console)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    rows = verification_rows(v)
    bad = [r for r in rows if not r["agree"]]
    # Text, never markup: names are the user's (`[/]` would be a markup error)
    table = Table(title=Text(f"{visible(v.spec.name)}: inferred vs executed (NumPy, batch {v.batch}, seed {v.seed})",
                             style="table.title"))
    for head in ("#", "Name", "Kind", "Inferred", "Executed", "Weights", "Params", "", "ms"):
        table.add_column(head, justify="right" if head in ("#", "Weights", "Params", "ms") else "left")
    for r, c in zip(rows, v.checks):
        executed = "-" if c.executed_shape is None else fmt_shape(c.executed_shape)
        table.add_row(*map(Text, (str(r["index"]), visible(r["name"]), r["kind"], fmt_shape(c.result.output_shape),
                                  executed, f"{r['weights']:,}", f"{r['params']:,}",
                                  "agree" if r["agree"] else "DISAGREE", f"{r['ms']:.1f}")))
    console = console or Console(width=width)
    console.print(table)
    for r in bad:
        if "error" in r:
            console.print(visible(f"layer {r['index']} ({r['name']}): {r['error']}"), markup=False, highlight=False)
    verdict = f"all {len(rows)} layers agree" if not bad else f"{len(bad)} of {len(rows)} layers disagree"
    weights, params = sum(r["weights"] for r in rows), sum(r["params"] for r in rows)
    console.print(f"{verdict}; weights {weights:,} {'=' if weights == params else '!='} params "
                  f"{params:,}; {v.seconds:.2f} s", markup=False)


def verification_text(v, width: int = 120) -> str:
    """What print_verification shows, as plain text `width` characters wide, no colour."""
    import io

    from rich.console import Console

    out = io.StringIO()
    print_verification(v, console=Console(file=out, width=width, color_system=None, force_terminal=False,
                                          legacy_windows=False))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
