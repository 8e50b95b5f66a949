"""Write a comparison's report folder: index.html, report.md, results.json and the PNG figures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Union

from matplotlib.figure import Figure

from simcim.atomic import write_bytes_atomic, write_text_atomic
from simcim.report import figures as F
from simcim.report.html import figure_html, page_html, paragraph, table_html
from simcim.report.markdown import figure_md, page_md, table_md
from simcim.study import Comparison
from simcim.report.tables import (TableData, critical_path_table, depth_table, speedup_rows, summary_table,
                                  training_table, utilization_table)


@dataclass
class FigureItem:
    file_name: str
    alt: str
    caption: str
    png: bytes


@dataclass
class Text:
    text: str
    cls: str = ""


Item = Union[TableData, FigureItem, Text]


def _figure(file_name: str, alt: str, caption: str, build: Callable[[], Figure]) -> FigureItem:
    return FigureItem(file_name, alt, caption, F.png_bytes(build()))


def build_sections(c: Comparison) -> list[tuple[str, list[Item]]]:
    """The report's content, once, for both the HTML and the Markdown renderings."""
    sections: list[tuple[str, list[Item]]] = []
    overview: list[Item] = [summary_table(c)]
    overview += [Text(s, "speedup") for s in speedup_rows(c)]
    sections.append(("Overview", overview))
    traced = [case for case in c.cases if case.timeline is not None]
    if traced:
        sections.append(("Timeline of one iteration", [_figure(
            "timeline.png", "Gantt chart of one iteration per case, one row per resource",
            "One iteration (one batch) per case on one time axis; each row is a resource (tile, weight-gradient "
            "unit, DRAM channel, interconnect link), coloured by the phase of the task holding it. A chain of "
            "dependent work shows as one busy row at a time; overlap shows as many rows busy at once.",
            lambda: F.timeline_figure([case.timeline for case in traced if case.timeline is not None]))]))
    sections.append(("Latency", [
        _figure("latency.png", "Stacked bars of latency by phase",
                "Left: the critical path split into the run time of its tasks by phase and the time they queued "
                "for a busy unit; it adds up to the iteration latency. Right: the run time of all tasks summed "
                "by phase (work), which overlap hides.", lambda: F.latency_figure(c.cases)),
        critical_path_table(c)]))
    sections.append(("Energy", [_figure(
        "energy.png", "Stacked bars of energy by phase and by component",
        "Energy of one iteration: the tasks' dynamic energy by phase (left), and all energy by component, "
        "including DRAM traffic and leakage over the iteration (middle), and the same without DRAM (right), "
        "which otherwise hides every on-chip component.", lambda: F.energy_figure(c.cases))]))
    sections.append(("Area and utilization", [
        _figure("area.png", "Stacked bars of chip area by component",
                "Chip area by component (DFA's feedback arrays and extra weight-gradient units show here).",
                lambda: F.area_figure(c.cases)),
        utilization_table(c)]))
    if c.depth_points:
        sections.append(("Depth", [
            _figure("depth.png", "Latency, energy, area and speed-up against depth",
                    "Latency, energy and area per iteration against the number of weight layers N, and the "
                    "latency ratio of the first case over the second against the line y = N.",
                    lambda: F.depth_figure(c)),
            depth_table(c)]))
    if c.training:
        sections.append(("Accuracy", [
            _figure("accuracy.png", "Accuracy per epoch per rule",
                    "Test (solid) and training (dashed) accuracy per epoch, each rule trained with the same chip's "
                    "device model.", lambda: F.accuracy_figure(c.training, c.architecture)),
            training_table(c)]))
    if c.notes:
        sections.append(("Notes", [Text(n, "note") for n in c.notes]))
    return sections


def provenance_line(p: dict) -> str:
    """What made the report: simcim's version and commit; the full parameters are in results.json."""
    commit = f", commit {p['commit'][:12]}" if p.get("commit") else ""
    return (f"Made by simcim {p.get('simcim_version', '?')}{commit}. The chip's and each workload's full "
            "parameters (defaults included) are in results.json under provenance.")


def write_report(c: Comparison, out_dir: Path, title: str, subtitle: str) -> list[Path]:
    """Render and write every file of the report; return their paths (HTML first)."""
    sections = build_sections(c)
    written: list[Path] = []
    html_sections: list[tuple[str, list[str]]] = []
    md_sections: list[tuple[str, list[str]]] = []
    for head, items in sections:
        html_blocks: list[str] = []
        md_blocks: list[str] = []
        for item in items:
            if isinstance(item, TableData):
                html_blocks.append(table_html(item))
                md_blocks.append(table_md(item))
            elif isinstance(item, FigureItem):
                path = out_dir / item.file_name
                write_bytes_atomic(path, item.png)
                written.append(path)
                html_blocks.append(figure_html(item.png, item.alt, item.caption, item.file_name))
                md_blocks.append(figure_md(item.file_name, item.alt, item.caption))
            else:
                html_blocks.append(paragraph(item.text, item.cls))
                md_blocks.append(f"**{item.text}**" if item.cls == "speedup" else item.text)
        html_sections.append((head, html_blocks))
        md_sections.append((head, md_blocks))
    if c.provenance:
        made = provenance_line(c.provenance)
        html_sections.append(("Provenance", [paragraph(made, "note")]))
        md_sections.append(("Provenance", [made]))
    files = "Files: index.html (this page, self-contained), report.md, results.json, " + ", ".join(
        p.name for p in written) + (", traces/*.json" if any(case.trace_path for case in c.cases) else "")
    html_sections.append(("Files", [paragraph(files, "note")]))
    md_sections.append(("Files", [files]))
    index = out_dir / "index.html"
    write_text_atomic(index, page_html(title, subtitle, html_sections))
    write_text_atomic(out_dir / "report.md", page_md(title, subtitle, md_sections))
    write_text_atomic(out_dir / "results.json", json.dumps(c.to_json(out_dir), indent=2, sort_keys=True) + "\n")
    return [index, out_dir / "report.md", out_dir / "results.json", *written]
