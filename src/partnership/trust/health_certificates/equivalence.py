"""The equivalence table: how the three formats carry the same facts, where they differ, what is lost
in mapping them to one model. Generated from data/equivalence.json in Markdown or HTML, English or
Japanese: the document the two sides discuss for the para 78 equivalence decision."""

from __future__ import annotations

import html
import json
from pathlib import Path

DATA = Path(__file__).with_name("data") / "equivalence.json"
TITLES = {
    "en": (
        "Health certificate equivalence: EU DCC, SMART Health Cards, ICAO VDS-NC",
        "Fact",
        "Lost or changed in mapping",
    ),
    "ja": (
        "接種証明書の同等性：EU DCC、SMART Health Cards、ICAO VDS-NC",
        "項目",
        "対応付けで失われる・変わる点",
    ),
}


def table(language: str = "en", form: str = "markdown") -> str:
    if language not in TITLES or form not in ("markdown", "html"):
        raise ValueError("language is en or ja; form is markdown or html")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    formats = list(data["formats"])
    title, fact, loss = TITLES[language]
    header = [fact, *(data["formats"][f] for f in formats), loss]
    rows = [
        [row["fact"][language], *(row[f][language] for f in formats), row["loss"][language]]
        for row in data["rows"]
    ]
    if form == "markdown":
        lines = [f"# {title}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    cells = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    body = "".join(
        '<tr><th scope="row">'
        + html.escape(row[0])
        + "</th>"
        + "".join(f"<td>{html.escape(c)}</td>" for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<!doctype html><html lang="{language}"><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<h1>{html.escape(title)}</h1><table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></html>\n"
    )
