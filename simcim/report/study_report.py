"""Write a study's report folder: index.html (self-contained), report.md and the PNG figures.

The numbers come from the study's results.db (simcim.studies.results); this module only draws and
writes them, as simcim.report.write does for `simcim compare`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from matplotlib.figure import Figure

from simcim.atomic import write_bytes_atomic, write_text_atomic
from simcim.report import study_figures as SF
from simcim.report.figures import png_bytes
from simcim.report.html import figure_html, page_html, paragraph, table_html
from simcim.report.markdown import figure_md, page_md, table_md
from simcim.report.tables import TableData
from simcim.studies.results import Stat, StudyResults
from simcim.units import si


def _fmt(value: float | None, unit: str) -> str:
    return "-" if value is None else si(value, unit)


def _over_seeds(res: StudyResults, value: Stat | None) -> str:
    """A mean ± sd cell; one from fewer seeds than the study's says so (a study still running), so a
    bare number is not read as the mean over every seed the caption names."""
    if value is None:
        return "-"
    short = f" ({value.n} of {len(res.seeds)} seeds)" if value.n < len(res.seeds) else ""
    return value.text() + short


def joined_table(res: StudyResults) -> TableData:
    """One row per depth and rule: cost on each hardware, speed-up over BP, extra area, accuracy."""
    header = ["N", "rule"]
    for hw in res.hardware:
        header += [f"latency / epoch ({hw})", f"speed-up over BP ({hw})"]
    header += ["energy / epoch (given)", "area (given)"]
    header += [f"extra area ({hw})" for hw in res.hardware if hw != "given"]
    header += [f"accuracy % ({n})" for n in res.nonidealities] if res.trained() else []
    rows = []
    for d in res.depths:
        for rule in res.rules:
            row = [str(d), rule.upper()]
            for hw in res.hardware:
                c = res.cost(rule, d, hw)
                s = res.speedup(rule, d, hw)
                row += [_fmt(c["latency_s"] if c else None, "s"), "-" if s is None else f"{s:.2f}×"]
            g = res.cost(rule, d)
            row += [_fmt(g["energy_j"] if g else None, "J"), "-" if g is None else f"{g['area_mm2']:.3f} mm²"]
            for hw in res.hardware:
                if hw != "given":
                    x = res.extra_area_mm2(rule, d, hw)
                    row.append("-" if x is None else f"{x:+.3f} mm²")
            if res.trained():
                row += [_over_seeds(res, res.accuracy(rule, d, n)) for n in res.nonidealities]
            rows.append(row)
    return TableData(
        f"Joined results ({res.provenance_line()})", header, rows,
        "given: the chip as written (weight_gradient.units auto: one shared WG unit for BP and FA, one per layer "
        "for DFA); equal-per-layer / equal-shared: every rule gets one WG unit per layer / one shared, and the "
        "same DRAM. extra area: what a rule needs on that hardware beyond the chip as given to it. accuracy: "
        "test accuracy averaged over the last 3 epochs, mean ± sd over seeds (a cell from fewer seeds says so).")


def effect_table(res: StudyResults) -> TableData:
    effects = ["all"] + res.effects
    rows = [[rule.upper()] + [_over_seeds(res, res.effect_cost(rule, e)) for e in effects]
            for rule in res.rules]
    return TableData(f"Accuracy cost of each nonideality, points (N = {res.reference_depth}; "
                     f"{res.provenance_line()})",
                     ["rule", "whole device model"] + res.effects, rows,
                     "accuracy with the effect off minus with every effect on, paired by seed (positive: the effect "
                     "costs accuracy; a cell from fewer seeds says so). whole device model: float math with plain SGD minus every "
                     "effect on.")


def axis_table(res: StudyResults) -> TableData:
    rows = []
    for axis, values in res.simulate_axes.items():
        for v in values:
            for rule in res.rules:
                c = res.axis_cost(axis, v, rule)
                if c is not None:
                    rows.append([axis, str(v), rule.upper(), si(c["latency_s"], "s"), si(c["energy_j"], "J"),
                                 f"{c['area_mm2']:.3f} mm²"])
    return TableData(f"Cost against one setting at a time (N = {res.reference_depth}, chip as given)",
                     ["setting", "value", "rule", "latency / epoch", "energy / epoch", "area"], rows)


def settings_table(res: StudyResults) -> TableData:
    """Test accuracy per device setting and rule, the numbers behind settings.png; the chip's own value
    (the depth series' point at the reference depth) is marked so a row is read against it."""
    rows = []
    for axis, values in res.vary_axes.items():
        for v in values:
            cells = [_over_seeds(res, res.vary_accuracy(axis, v, rule)) for rule in res.rules]
            if any(c != "-" for c in cells):
                own = " (chip)" if axis in res.vary_base and v == res.vary_base[axis] else ""
                rows.append([axis, f"{v}{own}"] + cells)
    return TableData(f"Test accuracy %, one device setting at a time (N = {res.reference_depth}, every effect on; "
                     f"{res.provenance_line()})", ["setting", "value"] + [r.upper() for r in res.rules], rows,
                     "mean of the last 3 epochs, mean ± sd over seeds (a cell from fewer seeds says so); (chip): the "
                     "chip's own value; -: not run, or a setting the rule does not read.")


Item = TableData | tuple[str, str, str, Callable[[], Figure]] | str


def sections(res: StudyResults) -> list[tuple[str, list[Item]]]:
    out: list[tuple[str, list[Item]]] = []
    status = [f"{len(res.rows)} points done"]
    if res.missing:
        status.append(f"{res.missing} not run yet (run the same command again to finish them)")
    if res.failed:
        status.append(f"{len(res.failed)} failed")
    out.append(("Results", res.claims() + ["; ".join(status) + "."] + [f"failed: {f}" for f in res.failed[:5]]))
    out.append(("Speed-up: given vs equal hardware", [
        ("speedup.png", "Speed-up over BP against depth, given and equal hardware, with y = N",
         "Epoch latency of BP over each rule's, on the chip as given (solid), with one WG unit per layer for every "
         "rule (dashed) and one shared unit for every rule (dotted), against the line y = N.",
         lambda: SF.speedup_vs_depth(res))]))
    out.append(("Cost against depth", [
        ("cost_depth.png", "Epoch latency, energy and area against depth per rule",
         "Per epoch latency and energy and the chip's area against the number of weight layers N, per rule and "
         "hardware provisioning. Area need not grow with N: the chip bus is the layers' tile widths summed and "
         "halved until within the maximum, as DNN+NeuroSim V2.1 sizes it (Chip.cpp:ChipInitialize, "
         "globalBusWidth), so one layer more can halve the bus and the H-tree's area with it "
         "(docs/neurosim-port.md, \"Chip bus width\").", lambda: SF.cost_vs_depth(res)),
        joined_table(res)]))
    if res.simulate_axes:
        out.append(("Cost against width, batch and settings", [
            ("cost_axes.png", "Latency, energy and area against width, batch size and other settings",
             "Each row changes one setting at the reference depth; the others stay as the study's. Weight bits "
             "also set the cells per weight, and with them the global buffer's share for the batch gradient and "
             "its bandwidth, as DNN+NeuroSim V2.1 sizes it (Chip.cpp:ChipInitialize): where weights take two "
             "cells, the weight gradients' round trips run faster (docs/calibration.md, \"Gradient buffer\").",
             lambda: SF.cost_vs_axes(res)),
            axis_table(res)]))
    if res.trained():
        out.append(("Accuracy", [
            ("accuracy_depth.png", "Test accuracy against depth per rule, with and without nonidealities",
             "Test accuracy (mean of the last 3 epochs) against N, mean ± sd over seeds, with every effect of the "
             "chip's device model on and in float math.", lambda: SF.accuracy_vs_depth(res)),
            ("tradeoff.png", "Accuracy lost against training time saved, per depth and rule",
             "Each point is one depth and rule: time saved against BP (x) and accuracy lost against BP (y), on "
             "the chip as given (filled) and on equal hardware (open).", lambda: SF.accuracy_vs_time(res))]))
        if res.effects:
            out.append(("Cost of each nonideality", [
                ("effects.png", "Accuracy cost of each nonideality per rule",
                 "Accuracy with one effect off minus with all on, at the reference depth.", lambda: SF.effect_costs(res)),
                effect_table(res)]))
        if res.vary_axes:
            out.append(("Accuracy against device settings", [
                ("settings.png", "Test accuracy against device settings per rule",
                 f"{', '.join(res.vary_axes)} varied one at a time at N = {res.reference_depth}, every effect on; "
                 "a rule without points on an axis does not read that setting.",
                 lambda: SF.accuracy_vs_settings(res)),
                settings_table(res)]))
    return out


def write_study_report(res: StudyResults, out_dir: Path, title: str, subtitle: str, notes: list[str]) -> list[Path]:
    """Render every section as HTML and Markdown; write index.html, report.md and the PNGs."""
    html_sections: list[tuple[str, list[str]]] = []
    md_sections: list[tuple[str, list[str]]] = []
    written: list[Path] = []
    for head, items in sections(res) + [("Notes", list(notes))]:
        html: list[str] = []
        md: list[str] = []
        for item in items:
            if isinstance(item, TableData):
                html.append(table_html(item))
                md.append(table_md(item))
            elif isinstance(item, tuple):
                name, alt, caption, build = item
                png = png_bytes(build())
                path = out_dir / name
                write_bytes_atomic(path, png)
                written.append(path)
                html.append(figure_html(png, alt, caption, name))
                md.append(figure_md(name, alt, caption))
            else:
                html.append(paragraph(item, "" if item.startswith("Claim") else "note"))
                md.append(item)
        html_sections.append((head, html))
        md_sections.append((head, md))
    index = out_dir / "index.html"
    write_text_atomic(index, page_html(title, subtitle, html_sections))
    write_text_atomic(out_dir / "report.md", page_md(title, subtitle, md_sections))
    return [index, out_dir / "report.md", *written]
