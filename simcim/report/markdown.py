"""report.md: the same tables and figures as the HTML page, for reading in a repository or a terminal."""

from __future__ import annotations

from simcim.report.tables import TableData


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_md(t: TableData) -> str:
    lines = [f"**{t.title}**", "", "| " + " | ".join(_cell(h) for h in t.header) + " |",
             "|" + "|".join(":---" if i == 0 else "---:" for i in range(len(t.header))) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    if t.note:
        lines += ["", f"_{t.note}_"]
    return "\n".join(lines) + "\n"


def figure_md(file_name: str, alt: str, caption: str) -> str:
    return f"![{alt}]({file_name})\n\n_{caption}_\n"


def page_md(title: str, subtitle: str, sections: list[tuple[str, list[str]]]) -> str:
    out = [f"# {title}", "", subtitle, ""]
    for head, blocks in sections:
        out += [f"## {head}", ""]
        for b in blocks:
            out += [b, ""]
    return "\n".join(out).rstrip() + "\n"
