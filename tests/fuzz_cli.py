"""A seeded fuzzer for the CLI (issue 12): mutated specs, traces and results databases, run through
``simcim.cli.main`` in-process. The only acceptable outcomes are a success whose result is physically
sane (finite, positive, utilization <= 100 %) or a one-line error with exit status 2.

Used by tests/test_fuzz.py (a fast sample by default, the full run under ``-m slow``) and by hand:
``python tests/fuzz_cli.py --specs 2000 --traces 500 --dbs 100`` prints the counts.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
import signal
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

HANG_S = 20

# Values that have broken YAML loaders, validators and cost models.
HOSTILE_VALUES = [
    "", "~", "null", "true", "no", "-1", "0", "0.0", "-0", "1e309", "-1e309", ".nan", ".inf", "-.inf",
    "9" * 40, "9" * 5000, "1" + "0" * 30, "4096", "4097", "65536", "1048576", "2147483648", "0x7fffffffffffffff",
    "0o777", "1_000", "1e-300", "3.5", "'5'", '"\\u0000"', "'x'", "[]", "{}", "[1, 2]", "{a: 1}",
    "!!set {a, b}", "!custom x", "!!python/name:os.system x", "!!binary aGk=", "&r [*r]", "*undefined",
    "[" * 300 + "]" * 300, "2001-13-45", "2001-12-14", "'" + "x" * 1000 + "'", "auto", "bp", "dfa",
    "<<: *x", "- a", ":", "? x", "|\n  block", ">\n  folded", "\t", "\x7f", "é", "\U0001F600", "\ufeff",
]
HOSTILE_BYTES = [b"\xff", b"\xfe\xff", b"\x00", b"\x01", b"\xc3(", b"\xed\xa0\x80", b"\r", b"\t", b"\x85", b"#"]


def alias_bomb(levels: int = 6) -> str:
    rows = ["b0: &b0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    rows += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    """One to three random mutations of a YAML (or JSON) file's bytes."""
    for _ in range(rng.randint(1, 3)):
        lines = data.split(b"\n")
        # Mostly value changes (which reach validation and the simulator), sometimes structure and bytes.
        op = rng.choice([0, 0, 0, 0, 6, 10, 10, 10, 1, 2, 3, 4, 5, 7, 8, 9, 11])
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:  # replace a value
            line = lines[i]
            if b":" in line:
                key = line.split(b":", 1)[0]
                lines[i] = key + b": " + rng.choice(HOSTILE_VALUES).encode("utf-8", "surrogatepass")
        elif op == 1 and lines:  # delete a line
            del lines[i]
        elif op == 2 and lines:  # duplicate a line
            lines.insert(i, lines[i])
        elif op == 3:  # truncate
            return data[: rng.randrange(len(data) + 1)]
        elif op == 4 and data:  # flip bytes
            b = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            return bytes(b)
        elif op == 5:  # insert hostile bytes
            pos = rng.randrange(len(data) + 1)
            return data[:pos] + rng.choice(HOSTILE_BYTES) + data[pos:]
        elif op == 6 and lines:  # drop the value of a key
            if b":" in lines[i]:
                lines[i] = lines[i].split(b":", 1)[0] + b":"
        elif op == 7 and lines:  # change indentation
            lines[i] = b" " * rng.choice([0, 1, 3, 8]) + lines[i].lstrip()
        elif op == 8:  # document markers
            lines.insert(i, rng.choice([b"---", b"...", b"--- !tag", b"%YAML 1.1", b"%TAG ! tag:x,2000:"]))
        elif op == 9:  # an alias bomb or deep nesting
            lines.append(rng.choice([alias_bomb(), "deep: " + "[" * 1000 + "]" * 1000,
                                     "deep: " + "{a: " * 60 + "1" + "}" * 60]).encode())
        elif op == 10 and lines:  # a random existing value set to a number of any size
            if b":" in lines[i]:
                key = lines[i].split(b":", 1)[0]
                lines[i] = key + b": " + str(rng.choice([0, 1, 2, 7, 10 ** rng.randint(0, 40), -5,
                                                         rng.random() * 10 ** rng.randint(-30, 30)])).encode()
        elif op == 11:  # swap two lines
            j = rng.randrange(len(lines)) if lines else 0
            if lines:
                lines[i], lines[j] = lines[j], lines[i]
        data = b"\n".join(lines)
    return data


WORDS = ["bp", "dfa", "fa", "drtp", "ss", "shallow", "auto", "htree", "mesh", "bus", "shared", "per_layer",
         "partitioned", "sram", "register_file", "interleaved", "pipelined", "layer_by_layer", "sar", "mlsa",
         "rram", "pcm", "fefet", "hp", "lstp", "mirrored", "retrace", "relu", "tanh", "none", "maxpool", "flatten"]


def mutate_semantic(rng: random.Random, data: bytes) -> bytes:
    """One or two leaves of a well-formed spec changed to nearby or plausible values: these reach the
    validators, the cost model and the simulator, where text mutations mostly stop at the parser."""
    import yaml

    obj = yaml.safe_load(data)
    leaves: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, value in items:
            if isinstance(value, (dict, list)):
                walk(value)
            else:
                leaves.append((node, key))

    walk(obj)
    for _ in range(rng.randint(1, 2)):
        node, key = rng.choice(leaves)
        v = node[key]
        if isinstance(v, bool):
            node[key] = not v
        elif isinstance(v, int):
            node[key] = rng.choice([v * 2, v // 2, v + 1, max(v - 1, 0), 0, 1, rng.randint(1, 4096),
                                    v * rng.choice([3, 4, 8, 16, 64]), -v])
        elif isinstance(v, float):
            node[key] = rng.choice([v * 2, v / 2, v * 10, v / 10, 0.0, rng.random(), -v, v * 1e6])
        else:
            node[key] = rng.choice(WORDS + [f"{v}x", ""])
    return yaml.safe_dump(obj, sort_keys=False).encode()


@dataclass
class Outcome:
    kind: str  # ok | error | traceback | hang | insane | bad-error
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Tally:
    cases: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, Outcome]] = field(default_factory=list)
    slowest_s: float = 0.0
    slowest: str = ""

    def add(self, label: str, outcome: Outcome) -> None:
        self.cases += 1
        self.counts[outcome.kind] = self.counts.get(outcome.kind, 0) + 1
        if outcome.seconds > self.slowest_s:
            self.slowest_s, self.slowest = outcome.seconds, f"{label} ({outcome.kind})"
        if outcome.kind not in ("ok", "error"):
            self.failures.append((label, outcome))

    @property
    def bad(self) -> int:
        return len(self.failures)


class _Hang(BaseException):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def run_main(argv: list[str], hang_s: int = HANG_S) -> tuple[int | None, str, str, str | None, float]:
    """Run the CLI in-process: (exit status, stdout, stderr, traceback or 'hang', seconds)."""
    from simcim.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(hang_s)
    t0 = time.monotonic()
    code: int | None = None
    problem: str | None = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except _Hang:
        problem = "hang"
    except SystemExit as exc:  # argparse usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:  # noqa: BLE001 - any exception that escapes is the bug we are after
        problem = traceback.format_exc(limit=-3)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, out.getvalue(), err.getvalue(), problem, time.monotonic() - t0


def _finite_positive(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x > 0


def sane_run_result(path: Path) -> str | None:
    """Why a `run --json` result is not physically sane, or None."""
    r = json.loads(path.read_text())
    for key, value in (("per_iteration.latency_s", r["per_iteration"]["latency_s"]),
                       ("per_iteration.energy_j", r["per_iteration"]["energy_j"]),
                       ("per_epoch.latency_s", r["per_epoch"]["latency_s"]),
                       ("area_mm2.total", r["area_mm2"]["total"]), ("tops", r["tops"]),
                       ("tops_per_w", r["tops_per_w"])):
        if not _finite_positive(value):
            return f"{key} = {value!r}"
    for group in ("by_kind", "by_resource"):
        for name, u in r["utilization"][group].items():
            if not (isinstance(u, (int, float)) and 0 <= u <= 1 + 1e-9):
                return f"utilization {group} {name} = {u!r}"
    return None


def sane_summary(path: Path) -> str | None:
    s = json.loads(path.read_text())
    if not (isinstance(s["makespan_ps"], int) and s["makespan_ps"] >= 0):
        return f"makespan {s['makespan_ps']!r}"
    for r in s["resources"]:
        if not (0 <= r["utilization"] <= 1 + 1e-9) or r["busy_ps"] < 0:
            return f"utilization of {r['name']} = {r['utilization']!r}"
    return None


def classify(code: int | None, err: str, problem: str | None, seconds: float, allowed: tuple[int, ...] = (0, 2),
             sanity: Callable[[], str | None] | None = None) -> Outcome:
    if problem == "hang":
        return Outcome("hang", f"over {HANG_S} s", seconds)
    if problem:
        return Outcome("traceback", problem, seconds)
    if code == 0:
        why = sanity() if sanity else None
        return Outcome("insane", why, seconds) if why else Outcome("ok", "", seconds)
    if code == 2:
        lines = err.strip().splitlines()
        if len(lines) == 1 and lines[0].startswith("simcim: error: ") or err.lstrip().startswith("usage:"):
            return Outcome("error", lines[-1] if lines else "", seconds)
        return Outcome("bad-error", err[-500:], seconds)
    if code in allowed:
        return Outcome("ok", f"exit {code}", seconds)
    return Outcome("bad-error", f"exit {code}: {err[-300:]}", seconds)


# --- specs -------------------------------------------------------------------------------------------

SPEC_BASES = {
    "arch": sorted((ROOT / "architectures").glob("*.yaml")),
    "workload": [ROOT / "workloads" / n for n in ("mlp2-bp.yaml", "mlp3-dfa.yaml", "mlp5-dfa.yaml",
                                                  "vgg8-cifar10-bp.yaml", "vgg8-cifar10-dfa.yaml")],
}


def spec_case(rng: random.Random, tmp: Path, n: int) -> tuple[str, Outcome]:
    which = rng.choice(["arch", "workload", "both", "set"])
    arch = rng.choice(SPEC_BASES["arch"])
    workload = base_workload = rng.choice(SPEC_BASES["workload"])
    argv = ["run"]
    label = f"spec#{n} {which} {arch.name} {workload.name}"
    mutate = mutate_semantic if rng.random() < 0.5 else mutate_text
    if which in ("arch", "both"):
        p = tmp / f"a{n}.yaml"
        p.write_bytes(mutate(rng, arch.read_bytes()))
        arch = p
    if which in ("workload", "both"):
        p = tmp / f"w{n}.yaml"
        p.write_bytes(mutate(rng, workload.read_bytes()))
        workload = p
    label += f" {mutate.__name__}"
    argv += [str(arch), str(workload)]
    if which == "set":
        keys = ["arch.chip.tiles", "arch.subarray.rows", "arch.device.bits_per_cell", "arch.chip.dram.channels",
                "workload.batch_size", "workload.classes", "workload.input_shape", "workload.layers.0.out_features",
                "workload.rule", "arch.technology.node_nm", "arch.name", "workload.layers", "workload.seed",
                "arch.chip", "workload.nonexistent.deeper"]
        key = rng.choice(keys)
        value = rng.choice(HOSTILE_VALUES)
        argv += ["--set", f"{key}={value}"]
        label += f" --set {key}={value[:40]!r}"
    if "vgg8" in base_workload.name or rng.random() < 0.7:  # keep the successful runs quick
        argv += ["--set", "workload.batch_size=2"]
    out = tmp / f"r{n}.json"
    argv += ["--json", str(out), "--quiet"]
    code, _, err, problem, secs = run_main(argv)
    return label, classify(code, err, problem, secs, sanity=lambda: sane_run_result(out))


# --- traces --------------------------------------------------------------------------------------------

def _trace_lines(path: Path) -> list[str]:
    return path.read_text().split("\n")


def mutate_event(rng: random.Random, line: str) -> str:
    """Change one field of one event line to a hostile value."""
    body = line.rstrip(",")
    comma = "," if line.endswith(",") else ""
    try:
        ev = json.loads(body)
    except (ValueError, RecursionError):  # already mangled by an earlier mutation of this case
        return line
    if not isinstance(ev, dict):
        return line
    values: list[Any] = [None, "", [], {}, "x", -1, -10 ** 6, 2 ** 63, 2 ** 64 + 1, 10 ** 30, 1.5, float("nan"),
                         float("inf"), True, [1, "a"], {"a": 1}, 0]
    target = ev
    if isinstance(ev.get("args"), dict) and rng.random() < 0.7:
        target = ev["args"]
    keys = list(target) or ["x"]
    key = rng.choice(keys + ["pid", "tid", "ph", "args"])
    if rng.random() < 0.15:
        target.pop(key, None)
    else:
        target[key] = rng.choice(values)
    text = json.dumps(ev, allow_nan=True)
    if rng.random() < 0.05:
        text = text.replace("0", "9" * rng.choice([30, 5000]), 1)
    return text + comma


def trace_case(rng: random.Random, tmp: Path, n: int, bases: list[Path]) -> tuple[str, Outcome]:
    base = rng.choice(bases)
    lines = _trace_lines(base)
    op = rng.randrange(8)
    label = f"trace#{n} {base.name} op{op}"
    if op <= 2:  # mutate one to five event lines
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(1, max(2, len(lines) - 2))
            lines[i] = mutate_event(rng, lines[i])
        data = "\n".join(lines).encode()
    elif op == 3:  # duplicate events (overlapping slices on one track)
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(1, max(2, len(lines) - 2))
            line = lines[i] if lines[i].endswith(",") else lines[i] + ","
            lines.insert(i, line)
        data = "\n".join(lines).encode()
    elif op == 4:  # truncate
        raw = "\n".join(lines).encode()
        data = raw[: rng.randrange(len(raw))]
    elif op == 5:  # raw byte damage
        data = mutate_text(rng, "\n".join(lines).encode())
    elif op == 6:  # a whole-file JSON of another shape
        data = rng.choice([b"[]", b"{}", b'{"traceEvents": 5}', b'[1, 2]', b"null", b'{"traceEvents": [{"ph": "X"}]}',
                           b"9" * 100000, b"\xff\xfe{\x00}\x00", b"[" * 100000])
    else:  # a header from another trace, swapped lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        data = "\n".join(lines).encode()
    path = tmp / f"t{n}.json"
    path.write_bytes(data)
    action = rng.choice(["summary", "critical-path", "validate", "vcd"])
    argv = ["trace", action, str(path)]
    out = tmp / f"t{n}.out.json"
    if action in ("summary", "critical-path"):
        argv += ["--json", str(out)]
    if action == "vcd":
        argv += ["--out", str(tmp / f"t{n}.vcd")]
    code, _, err, problem, secs = run_main(argv)
    sanity = (lambda: sane_summary(out)) if action == "summary" else None
    return f"{label} {action}", classify(code, err, problem, secs, (0, 1, 2) if action == "validate" else (0, 2), sanity)


# --- results databases --------------------------------------------------------------------------------

def db_case(rng: random.Random, tmp: Path, n: int, base: Path) -> tuple[str, Outcome]:
    path = tmp / f"d{n}.db"
    path.write_bytes(base.read_bytes())
    op = rng.randrange(5)
    label = f"db#{n} op{op}"
    if op <= 2:  # change cells
        con = sqlite3.connect(path)
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for _ in range(rng.randint(1, 4)):
            table = rng.choice(tables)
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            col = rng.choice(cols)
            value = rng.choice([None, "", "x", "{", "[]", "{}", '{"a": "b"}', '{"latency_s": "fast"}', -1, 1e308,
                                b"\xff\xfe", "\udcff".encode("utf-8", "surrogatepass"), 2 ** 62, "null",
                                '{"x": NaN}', json.dumps({"latency_s": [1]})])
            try:
                con.execute(f"UPDATE {table} SET {col} = ? WHERE rowid IN (SELECT rowid FROM {table} "
                            f"ORDER BY random() LIMIT 1)", (value,))
            except sqlite3.Error:
                pass
        con.commit()
        con.close()
    elif op == 3:  # damage pages
        b = bytearray(path.read_bytes())
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(100, len(b))] = rng.randrange(256)
        path.write_bytes(bytes(b))
    else:  # truncate
        b = path.read_bytes()
        path.write_bytes(b[: rng.randrange(len(b))])
    argv = ["results", str(path)]
    extra = rng.choice([[], ["--pareto", "energy_j,latency_s"], ["--pareto", "latency_s,accuracy"],
                        ["--csv", str(tmp / f"d{n}.csv")], ["--versus", "workload.rule=bp"],
                        ["--metrics", "latency_s,energy_j"], ["--plot", str(tmp / f"d{n}.png")]])
    argv += extra
    code, _, err, problem, secs = run_main(argv)
    return f"{label} {' '.join(extra)}", classify(code, err, problem, secs)


def make_trace_bases(tmp: Path) -> list[Path]:
    from helpers_trace import hand_events, simulate_to_trace, write_lines

    bases = [write_lines(tmp / "hand.json", hand_events())]
    bases.append(simulate_to_trace(tmp, "mlp2-bp", batch_size=2)[0])
    bases.append(simulate_to_trace(tmp, "mlp3-dfa", batch_size=2)[0])
    return bases


def make_db_base(tmp: Path) -> Path:
    from test_results import make_db

    return make_db(tmp / "base.db")


def fuzz(tmp: Path, seed: int, specs: int, traces: int, dbs: int) -> dict[str, Tally]:
    rng = random.Random(seed)
    tallies = {"spec": Tally(), "trace": Tally(), "db": Tally()}
    for n in range(specs):
        label, outcome = spec_case(rng, tmp, n)
        tallies["spec"].add(label, outcome)
    if traces:
        bases = make_trace_bases(tmp)
        for n in range(traces):
            label, outcome = trace_case(rng, tmp, n, bases)
            tallies["trace"].add(label, outcome)
    if dbs:
        base = make_db_base(tmp)
        for n in range(dbs):
            label, outcome = db_case(rng, tmp, n, base)
            tallies["db"].add(label, outcome)
    return tallies


def report(tallies: dict[str, Tally]) -> str:
    rows = []
    for name, t in tallies.items():
        rows.append(f"{name}: {t.cases} cases, " + ", ".join(f"{k} {v}" for k, v in sorted(t.counts.items()))
                    + f"; slowest {t.slowest_s:.1f} s: {t.slowest}")
        for label, o in t.failures[:10]:
            rows.append(f"  {o.kind}: {label}: {o.detail.strip().splitlines()[-1] if o.detail.strip() else ''}")
    return "\n".join(rows)


if __name__ == "__main__":
    import argparse
    import tempfile

    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--specs", type=int, default=200)
    ap.add_argument("--traces", type=int, default=100)
    ap.add_argument("--dbs", type=int, default=30)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        t0 = time.monotonic()
        result = fuzz(Path(d), a.seed, a.specs, a.traces, a.dbs)
        print(report(result))
        print(f"wall {time.monotonic() - t0:.0f} s")
        for name, t in result.items():
            for label, o in t.failures:
                print("=" * 40, o.kind, label)
                print(o.detail[-1500:])
