"""The self-contained HTML page: inline CSS, figures as base64 data URIs, no script, nothing fetched.

It opens offline from a mail attachment or a CI artifact exactly as it does next to its PNGs.
"""

from __future__ import annotations

import base64
from html import escape
from string import Template

from simcim.report.tables import TableData

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; white-space: normal; }
.table-wrap { overflow-x: auto; }
td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3em; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.note { color: #555; font-size: 0.85em; }
.speedup { font-size: 1.1em; font-weight: bold; }
code { background: #f4f4f4; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>$title</h1>
<p class="sub">$subtitle</p>
$body
</body>
</html>
""")


def table_html(t: TableData) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.header)
    rows = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in t.rows)
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    # Wide tables scroll inside their box instead of pushing the page wider than the window.
    return (f'<div class="table-wrap"><table>\n<caption>{escape(t.title)}</caption>\n<tr>{head}</tr>\n{rows}\n'
            f"</table></div>\n{note}")


def figure_html(png: bytes, alt: str, caption: str, file_name: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure id="fig-{escape(file_name.removesuffix(".png"))}">\n'
            f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">\n'
            f"<figcaption>{escape(caption)} (<code>{escape(file_name)}</code>)</figcaption>\n</figure>")


def page_html(title: str, subtitle: str, sections: list[tuple[str, list[str]]]) -> str:
    """``sections``: (heading, already-escaped HTML blocks)."""
    body = "\n".join(f"<h2>{escape(head)}</h2>\n" + "\n".join(blocks) for head, blocks in sections)
    return PAGE.substitute(title=escape(title), subtitle=escape(subtitle), body=body)


def paragraph(text: str, cls: str = "") -> str:
    return f'<p{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>{escape(text)}</p>'
