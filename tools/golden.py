"""Golden numbers: latency, energy and area of every bundled chip x workload, and the README tables
drawn from them.

    python tools/golden.py            # compare the simulator with tests/golden/bundled.json; print the diff
    python tools/golden.py --write    # print the diff, then rewrite the file and the README's tables

tests/test_golden.py fails when the simulator's numbers leave the file, or when the README's
generated tables differ from what the file gives. A change that moves numbers on purpose bumps
``simcim.model_version.SIMULATION``, reruns ``--write`` (which refuses moved numbers under the file's
version) and commits the diff with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "bundled.json"
README = ROOT / "README.md"
REL_TOL = 1e-9  # float noise across platforms; any model change moves numbers far more
DEFAULT_CHIP = "neurosim-fefet-22nm"
DEPTHS = range(2, 9)
# The README's critical-path sentence is about these two cases.
CRITICAL_CASES = (f"{DEFAULT_CHIP}/mlp5-bp", f"{DEFAULT_CHIP}/mlp5-dfa")


def _case_numbers(arch_path: Path, workload_path: Path, critical: bool) -> dict[str, Any]:
    import simcim
    from simcim.analysis.critical_path import critical_path

    r = simcim.simulate(simcim.load_architecture(arch_path), simcim.load_workload(workload_path),
                        trace_queues=critical)
    phases: dict[str, dict[str, float]] = {}
    for layer in r.layers:
        for ph, d in layer.phases.items():
            p = phases.setdefault(ph, {"latency_s": 0.0, "energy_j": 0.0})
            p["latency_s"] += d.latency_s
            p["energy_j"] += d.energy_j
    out: dict[str, Any] = {
        "iteration": {"latency_s": r.per_iteration.latency_s, "energy_j": r.per_iteration.energy_j},
        "epoch": {"latency_s": r.per_epoch.latency_s, "energy_j": r.per_epoch.energy_j},
        "area_mm2": r.area.total_mm2,
        "area_mm2_by_component": r.area.by_component_mm2,
        "energy_j_by_component": r.energy_j_by_component,
        "phases": phases,
        "tiles_used": r.mapping.tiles_used,
        "wg_units": r.mapping.wg_units,
    }
    if critical:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "trace.json"
            r.write_trace(path)
            cp = critical_path(path)
        blocked = cp.blocked_on()
        out["critical_path"] = {"busy_s": cp.busy_ps * 1e-12, "wait_s": cp.wait_ps * 1e-12,
                                "waits_on": next(iter(blocked), None)}
    return out


def compute() -> dict[str, Any]:
    """The golden numbers of every bundled architecture x workload, from the simulator as it is."""
    cases: dict[str, Any] = {}
    for arch in sorted((ROOT / "architectures").glob("*.yaml")):
        for wl in sorted((ROOT / "workloads").glob("*.yaml")):
            key = f"{arch.stem}/{wl.stem}"
            cases[key] = _case_numbers(arch, wl, key in CRITICAL_CASES)
    from simcim import model_version

    return {"about": "simcim golden numbers; regenerate with: python tools/golden.py --write",
            "simulation_model": model_version.SIMULATION, "cases": cases}


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {prefix: data}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-300)
    return bool(a == b)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per number that differs (relative change), added or gone."""
    a, b = _flatten(old.get("cases", {})), _flatten(new.get("cases", {}))
    lines = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            lines.append(f"+ {key} = {b[key]}")
        elif key not in b:
            lines.append(f"- {key} (was {a[key]})")
        elif not _close(a[key], b[key]):
            va, vb = a[key], b[key]
            rel = f" ({(vb - va) / va:+.3%})" if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and va else ""
            lines.append(f"~ {key}: {va} -> {vb}{rel}")
    return lines


def _fmt_s(v: float) -> str:
    return f"{v:.3f}" if v >= 1 else f"{v:.4f}"


def render_readme(golden: dict[str, Any]) -> str:
    """The README's generated block: BP vs DFA against depth on the default chip, every bundled chip
    on mlp5 and VGG-8, and the critical-path sentence."""
    cases = golden["cases"]

    def c(arch: str, wl: str) -> dict[str, Any]:
        return cases[f"{arch}/{wl}"]

    head = "| N (layers) | " + " | ".join(str(n) for n in DEPTHS) + " |"
    rows = [head, "|---|" + "---|" * len(DEPTHS)]
    series = {rule: [c(DEFAULT_CHIP, f"mlp{n}-{rule}") for n in DEPTHS] for rule in ("bp", "dfa")}
    rows.append("| BP latency (s) | " + " | ".join(_fmt_s(x["epoch"]["latency_s"]) for x in series["bp"]) + " |")
    rows.append("| DFA latency (s) | " + " | ".join(_fmt_s(x["epoch"]["latency_s"]) for x in series["dfa"]) + " |")
    rows.append("| BP / DFA | " + " | ".join(f"{b['epoch']['latency_s'] / d['epoch']['latency_s']:.2f}"
                                            for b, d in zip(series["bp"], series["dfa"])) + " |")
    rows.append("| BP energy (J) | " + " | ".join(f"{x['epoch']['energy_j']:.3f}" for x in series["bp"]) + " |")
    rows.append("| DFA energy (J) | " + " | ".join(f"{x['epoch']['energy_j']:.3f}" for x in series["dfa"]) + " |")
    rows.append("| BP area (mm²) | " + " | ".join(f"{x['area_mm2']:.2f}" for x in series["bp"]) + " |")
    rows.append("| DFA area (mm²) | " + " | ".join(f"{x['area_mm2']:.2f}" for x in series["dfa"]) + " |")
    chips = sorted({k.split("/")[0] for k in cases})
    table2 = ["| chip | workload | latency / epoch (s) | energy / epoch (J) | area (mm²) |", "|---|---|---:|---:|---:|"]
    for chip in chips:
        for wl in ("mlp5-bp", "mlp5-dfa", "vgg8-cifar10-bp", "vgg8-cifar10-dfa"):
            x = c(chip, wl)
            table2.append(f"| {chip} | {wl} | {_fmt_s(x['epoch']['latency_s'])} | {x['epoch']['energy_j']:.3f} | "
                          f"{x['area_mm2']:.2f} |")
    bp, dfa = (cases[k] for k in CRITICAL_CASES)
    bcp, dcp = bp["critical_path"], dfa["critical_path"]
    waits_on = f" for {bcp['waits_on']}" if bcp["waits_on"] else ""
    sentence = (f"On the default chip the critical path of mlp5-bp's {bp['iteration']['latency_s'] * 1e3:.2f} ms "
                f"iteration is {bcp['busy_s'] * 1e3:.2f} ms of work and {bcp['wait_s'] * 1e3:.2f} ms of "
                f"queueing{waits_on}; mlp5-dfa's {dfa['iteration']['latency_s'] * 1e3:.2f} ms are "
                f"{dcp['busy_s'] * 1e3:.2f} ms of work and {dcp['wait_s'] * 1e3:.2f} ms of queueing.")
    return "\n".join([
        f"Per epoch (250 iterations of batch 200) on the default chip (`{DEFAULT_CHIP}`):", "", *rows, "",
        "Every bundled chip, per epoch:", "", *table2, "", sentence])


BEGIN = "<!-- golden: generated by `python tools/golden.py --write` from tests/golden/bundled.json; do not edit -->"
END = "<!-- /golden -->"


def readme_with(block: str, text: str) -> str:
    """``text`` (the README) with its generated block replaced by ``block``."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + block + "\n" + text[end:]


def readme_block(text: str) -> str:
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the golden file and the README's tables")
    args = parser.parse_args(argv)
    new = compute()
    old = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {"cases": {}}
    lines = diff(old, new)
    print("\n".join(lines) if lines else "golden numbers unchanged")
    block = render_readme(new)
    readme = README.read_text()
    readme_stale = readme_block(readme) != block
    if args.write:
        moved = [line for line in lines if not line.startswith("+ ")]  # new cases move nothing
        if moved and old.get("simulation_model") == new["simulation_model"]:
            print(f"numbers moved under simulation model version {new['simulation_model']}: bump SIMULATION in "
                  "simcim/model_version.py first (stored sweep and study points of the old model are then "
                  "run again instead of mixing with the new), then --write; nothing written")
            return 1
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
        README.write_text(readme_with(block, readme))
        print(f"wrote {GOLDEN.relative_to(ROOT)} and the tables in README.md")
        return 0
    if readme_stale:
        print("README.md's generated tables differ from these numbers")
    return 1 if lines or readme_stale else 0


if __name__ == "__main__":
    sys.exit(main())
