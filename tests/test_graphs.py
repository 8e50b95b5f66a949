"""Networks as graphs: the spec's `inputs`, shape inference and its errors, the weight-layer links,
the task DAG of a residual network worked by hand, and grouped / depthwise convolutions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_spine import ROOT
from simcim.cli import main
from simcim.engine.plans import Compute, Plan
from simcim.engine.sim import simulate_dag
from simcim.hardware.costs import Compute as CostCompute
from simcim.mapping import place
from simcim.network import weight_layers
from simcim.resources import Resource
from simcim.rules import RULES
from simcim.schedules import Links, build_schedule
from simcim.schedules.tasks import Task
from simcim.simulation import run_simulation
from simcim.spec.loader import load_architecture, load_workload

ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"

RES3 = """\
name: res3
input_shape: [64]
layers:
  - {kind: linear, name: a, out_features: 64}
  - {kind: linear, name: b, out_features: 64}
  - {kind: add, name: s, inputs: [a, b]}
  - {kind: linear, out_features: 10, activation: none}
rule: bp
batch_size: 1
"""


def _write(tmp_path: Path, text: str, name: str = "w.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- the spec -------------------------------------------------------------------------------------

@pytest.mark.parametrize("layers, where", [
    # a name that no earlier layer has
    ("  - {kind: linear, name: a, out_features: 8}\n  - {kind: add, inputs: [a, c]}\n"
     "  - {kind: linear, out_features: 2}\n", "w.yaml:5: layers[1].inputs[1]: no earlier layer is named 'c'"),
    # a later layer's name
    ("  - {kind: linear, name: a, out_features: 8, inputs: [z]}\n  - {kind: linear, name: z, out_features: 2}\n",
     "w.yaml:4: layers[0].inputs[0]: no earlier layer is named 'z' (a layer takes only layers listed before it)"),
    # a name used twice
    ("  - {kind: linear, name: a, out_features: 8}\n  - {kind: linear, name: a, out_features: 2}\n",
     "w.yaml:5: layers[1].name: 'a' is already the name of layers[0]"),
    # add of two shapes
    ("  - {kind: linear, name: a, out_features: 8}\n  - {kind: linear, name: b, out_features: 4}\n"
     "  - {kind: add, inputs: [a, b]}\n  - {kind: linear, out_features: 2}\n",
     "w.yaml:6: layers[2].inputs: add needs inputs of one shape, got (8,), (4,)"),
    # add of one input
    ("  - {kind: linear, name: a, out_features: 8}\n  - {kind: add, inputs: [a]}\n  - {kind: linear, out_features: 2}\n",
     "w.yaml:5: layers[1].inputs: add needs two or more inputs, got 1"),
    # a branch that goes nowhere
    ("  - {kind: linear, name: a, out_features: 8}\n  - {kind: linear, name: b, out_features: 8}\n"
     "  - {kind: linear, out_features: 2, inputs: [a]}\n", "w.yaml:5: layers[1]: this layer's output goes nowhere"),
    # groups that do not divide the channels
    ("  - {kind: conv2d, out_channels: 8, groups: 3}\n  - {kind: flatten}\n  - {kind: linear, out_features: 2}\n",
     "w.yaml:4: layers[0].groups: 3 groups must divide the 3 input and 8 output channels"),
    # the output from a residual add of two weight layers
    ("  - {kind: linear, name: a, out_features: 2}\n  - {kind: linear, name: b, out_features: 2}\n"
     "  - {kind: add, inputs: [a, b]}\n", "w.yaml:6: layers[2]: the network's output must come from its last weight layer"),
])
def test_graph_errors_name_file_line_and_key(tmp_path, capsys, layers: str, where: str) -> None:
    shape = "[3, 8, 8]" if "conv2d" in layers else "[16]"
    path = _write(tmp_path, f"name: bad\ninput_shape: {shape}\nlayers:\n{layers}")
    code = main(["run", str(ARCH), str(path), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("simcim: error: ") and where in err, err


def test_a_chain_written_as_a_graph_gives_the_same_bytes(tmp_path) -> None:
    """vgg8 with every `inputs` spelled out (names and explicit previous layers) is the same network."""
    text = (ROOT / "workloads" / "vgg8-cifar10-bp.yaml").read_text()
    lines = text.splitlines()
    out, n = [], 0
    for line in lines:
        if line.startswith("  - {kind:"):
            ref = f", inputs: [l{n - 1}]" if n else ", inputs: [input]"
            line = line.replace("{kind:", f"{{name: l{n}{ref}, kind:", 1)
            n += 1
        out.append(line)
    graph = _write(tmp_path, "\n".join(out) + "\n", "g.yaml")
    for path, name in ((ROOT / "workloads" / "vgg8-cifar10-bp.yaml", "a.json"), (graph, "b.json")):
        assert main(["run", str(ARCH), str(path), "--set", "workload.batch_size=2", "--quiet",
                     "--json", str(tmp_path / name)]) == 0
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    names = [f"l{i}" for i in range(n)]
    # the weight layers keep their default names unless named; here they are named l0, l1, l3, ...
    for la, lb in zip(a["layers"], b["layers"]):
        assert lb["name"] in names
        la["name"] = lb["name"]
    a["workload"] = b["workload"]
    assert a == b


# --- the weight layers' links ------------------------------------------------------------------------

def test_residual_links(tmp_path) -> None:
    layers = weight_layers(load_workload(_write(tmp_path, RES3)))
    a, b, c = layers
    assert (a.preds, a.consumers, a.first) == ((), (2, 3), True)
    assert (b.preds, b.consumers, b.waits) == ((1,), (3,), (1,))
    # fc3 reads a + b: both feed it; the add is done after b (the later of the two) on b's FW
    assert (c.preds, c.consumers, c.waits) == ((1, 2), (), (1, 2))
    assert [(op.kind, op.in_elems, op.out_elems, op.inputs) for op in b.post_ops] == [("add", 64, 64, 2)]
    assert not a.post_ops and not c.post_ops


def _deps(dag) -> dict[str, set[str]]:
    return {t.name: {dag.tasks[d].name for d in dag.deps[t.id]} for t in dag.tasks}


RES3_LINKS = Links(waits=((), (1,), (1, 2)), consumers=((2, 3), (3,), ()))


def test_residual_task_dag_by_hand() -> None:
    """BP: the error of layer 1 (the branch point) is the sum of what layers 2 and 3 send back, so
    its WG waits for AG2 and AG3; layer 1 reads only the input and has no AG. DFA: every hidden
    layer's PROJ waits for the output alone."""
    bp = _deps(build_schedule(RULES["bp"], 3, 1, links=RES3_LINKS))
    assert bp == {
        "L1.FW": set(), "L2.FW": {"L1.FW"}, "L3.FW": {"L1.FW", "L2.FW"},
        "L3.WG": {"L3.FW"}, "L3.AG": {"L3.FW"},
        "L2.WG": {"L3.AG"}, "L2.AG": {"L3.AG"},
        "L1.WG": {"L2.AG", "L3.AG"},
        "L1.WU": {"L1.WG"}, "L2.WU": {"L2.WG"}, "L3.WU": {"L3.WG"},
    }
    dfa = _deps(build_schedule(RULES["dfa"], 3, 1, links=RES3_LINKS))
    assert dfa == {
        "L1.FW": set(), "L2.FW": {"L1.FW"}, "L3.FW": {"L1.FW", "L2.FW"},
        "L3.WG": {"L3.FW"}, "L2.PROJ": {"L3.FW"}, "L2.WG": {"L2.PROJ"},
        "L1.PROJ": {"L3.FW"}, "L1.WG": {"L1.PROJ"},
        "L1.WU": {"L1.WG"}, "L2.WU": {"L2.WG"}, "L3.WU": {"L3.WG"},
    }


NS = 1000  # ps


class _Planner:
    """Round numbers, nothing shared between layers: FW 10 ns, AG 20 ns, PROJ 7 ns on the layer's
    own tiles / feedback arrays, WG 5 ns on the layer's own WG unit, WU 50 ns on its tiles."""

    dram_pool: list[Resource] = []

    def plan(self, task: Task) -> Plan:
        unit = {"weights": "tiles", "feedback": "tiles", "wg": "wg_units"}[task.unit]
        res = Resource(unit, f"chip.{task.unit}{task.layer}")
        ns = {"FW": 10, "AG": 20, "PROJ": 7, "WG": 5, "WU": 50}[task.phase]
        return Plan((res,), (Compute(ns * NS, {"arrays": float(ns)}),), 1)


def test_residual_latency_by_hand() -> None:
    def spans(rule: str) -> tuple[dict[str, tuple[int, int]], int]:
        rec = simulate_dag(build_schedule(RULES[rule], 3, 1, links=RES3_LINKS), _Planner())
        return {t.name: (t.start_ps // NS, t.end_ps // NS) for t in rec.tasks}, rec.makespan_ps // NS

    bp, bp_total = spans("bp")
    # FW 0-10, 10-20, then layer 3 after both: 20-30. AG3 30-50 (its tiles), AG2 50-70.
    assert (bp["L1.FW"], bp["L2.FW"], bp["L3.FW"]) == ((0, 10), (10, 20), (20, 30))
    assert (bp["L3.AG"], bp["L2.AG"]) == ((30, 50), (50, 70))
    # WG1 waits for both errors (70), WG2 for AG3's (50), WG3 for the output (30).
    assert (bp["L1.WG"], bp["L2.WG"], bp["L3.WG"]) == ((70, 75), (50, 55), (30, 35))
    # WU3 is ready at 35 but its tiles run AG3 until 50; WU2 waits for AG2's tiles until 70.
    assert (bp["L3.WU"], bp["L2.WU"], bp["L1.WU"]) == ((50, 100), (70, 120), (75, 125))
    assert bp_total == 125
    dfa, dfa_total = spans("dfa")
    # both projections start as soon as the output exists (30), on their own arrays
    assert (dfa["L1.PROJ"], dfa["L2.PROJ"]) == ((30, 37), (30, 37))
    assert (dfa["L1.WG"], dfa["L2.WG"], dfa["L3.WG"]) == ((37, 42), (37, 42), (30, 35))
    assert (dfa["L3.WU"], dfa["L2.WU"], dfa["L1.WU"]) == ((35, 85), (42, 92), (42, 92))
    assert dfa_total == 92


def test_residual_on_the_chip(tmp_path) -> None:
    """The same network on a real chip: the DAG the simulation ran has the links above, the add is a
    step of layer 2's forward, and BP's error sum at the branch point is a step of WG1 (DFA's not)."""
    arch = load_architecture(ARCH)
    path = _write(tmp_path, RES3)
    sim = run_simulation(arch, load_workload(path))
    assert _deps(sim.dag) == _deps(build_schedule(RULES["bp"], 3, 1, links=RES3_LINKS))
    spans = {t.name: t for t in sim.records.tasks}
    assert spans["L3.FW"].start_ps >= max(spans["L1.FW"].end_ps, spans["L2.FW"].end_ps)
    assert spans["L1.WG"].ready_ps == max(spans["L2.AG"].end_ps, spans["L3.AG"].end_ps)
    fw2 = sim.costs[1].FW.steps
    computes = [s for s in fw2 if isinstance(s, CostCompute)]
    assert len(computes) == 2 and computes[1].energy_pj.keys() == {"accumulation"}
    wg1_bp = [s for s in sim.costs[0].WG.steps if isinstance(s, CostCompute)]
    dfa = run_simulation(arch, load_workload(path, {"rule": "dfa"}))
    wg1_dfa = [s for s in dfa.costs[0].WG.steps if isinstance(s, CostCompute)]
    assert len(wg1_bp) == 3 and len(wg1_dfa) == 2  # the error sum, then the unit's work and its accumulation
    assert _deps(dfa.dag) == _deps(build_schedule(RULES["dfa"], 3, 1, links=RES3_LINKS))
    dspans = {t.name: t for t in dfa.records.tasks}
    assert dspans["L1.WG"].ready_ps == dspans["L1.PROJ"].end_ps


# --- grouped and depthwise convolutions ---------------------------------------------------------------

DW = """\
name: dw
input_shape: [3, 16, 16]
layers:
  - {kind: conv2d, name: stem, out_channels: 32, kernel: 3, stride: 2, padding: 1}
  - {kind: batchnorm}
  - {kind: activation, function: relu6}
  - {kind: conv2d, name: dw, out_channels: 32, kernel: 3, padding: 1, groups: 32, activation: relu6}
  - {kind: conv2d, name: pw, out_channels: 32, kernel: 1, padding: 0, activation: none}
  - {kind: add, inputs: [stem, pw]}
  - {kind: conv2d, name: g4, out_channels: 64, kernel: 3, padding: 1, groups: 4}
  - {kind: maxpool, kernel: 3, stride: 2, padding: 1}
  - {kind: adaptive_avgpool, output_size: 1}
  - {kind: flatten}
  - {kind: linear, out_features: 10, activation: none}
batch_size: 2
"""


def test_grouped_convs_count_true_weights_and_macs(tmp_path) -> None:
    w = load_workload(_write(tmp_path, DW))
    stem, dw, pw, g4, fc = weight_layers(w)
    assert stem.out_shape == (32, 8, 8) and stem.weights == 27 * 32 and stem.macs == 27 * 32 * 64
    # depthwise: 9 weights per channel, held block-diagonally in a 288 x 32 matrix
    assert (dw.rows, dw.cols, dw.groups) == (288, 32, 32)
    assert dw.weights == 9 * 32 and dw.macs == 9 * 32 * 64
    assert g4.weights == 9 * 8 * 64 and g4.macs == 9 * 8 * 64 * 64
    # the stride-2 max pooling right after g4 is g4's own pooling: 8x8 -> 4x4
    assert g4.pool == 3 and g4.pool_factor == 4
    # the adaptive pooling after it is done by g4 too (4x4 -> 1), as an operation of its own
    assert [(op.kind, op.in_elems, op.out_elems) for op in g4.post_ops] == [("adaptive_avgpool", 64 * 16, 64)]
    assert fc.rows == 64 and fc.preds == (4,)
    # the residual add reads the stem's output (through batch norm and activation) and pw's
    assert pw.post_ops[0].kind == "add" and g4.preds == (1, 3) and stem.consumers == (2, 4)
    placement = place(load_architecture(ARCH), w)
    used = sum(lp.layer.weights for lp in placement.layers)
    assert used == 27 * 32 + 9 * 32 + 32 * 32 + 9 * 8 * 64 + 64 * 10


@pytest.mark.parametrize("rule", ["bp", "dfa", "fa", "drtp"])
def test_grouped_network_simulates(tmp_path, rule: str) -> None:
    path = _write(tmp_path, DW)
    out = tmp_path / "r.json"
    assert main(["run", str(ARCH), str(path), "--rule", rule, "--quiet", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["per_iteration"]["latency_s"] > 0
    # MACs per iteration count the true (grouped) MACs of the forward pass
    fw = 27 * 32 * 64 + 9 * 32 * 64 + 32 * 32 * 64 + 9 * 8 * 64 * 64 + 64 * 10
    assert result["ops_per_iteration"] >= 2 * 2 * fw


# --- properties of random residual networks -----------------------------------------------------------


@st.composite
def _residual_net(draw) -> tuple[str, list[tuple[int, ...]]]:
    """A chain of linear layers where each may add the output of any earlier step (a skip)."""
    n = draw(st.integers(2, 6))
    lines, outs, skips = [], [], []
    for k in range(n):
        src = f", inputs: [{outs[-1]}]" if outs else ""
        lines.append(f"  - {{kind: linear, name: l{k}, out_features: 8{src}}}")
        out = f"l{k}"
        skip = draw(st.one_of(st.none(), st.integers(0, k - 1))) if k else None
        if skip is not None:
            lines.append(f"  - {{kind: add, name: a{k}, inputs: [l{k}, {outs[skip]}]}}")
            out = f"a{k}"
        outs.append(out)
        skips.append(skip)
    lines.append(f"  - {{kind: linear, out_features: 4, activation: none, inputs: [{outs[-1]}]}}")
    text = "name: rnd\ninput_shape: [8]\nlayers:\n" + "\n".join(lines) + "\nbatch_size: 2\n"
    return text, skips


@settings(max_examples=25, deadline=None)
@given(_residual_net(), st.sampled_from(["bp", "dfa", "fa"]))
def test_random_residual_networks_keep_every_dependency(tmp_path_factory, net, rule: str) -> None:
    text, _ = net
    path = tmp_path_factory.mktemp("g") / "w.yaml"
    path.write_text(text)
    workload = load_workload(path, {"rule": rule})
    layers = weight_layers(workload)
    for wl in layers:  # links are consistent and point backwards (the list order is topological)
        assert all(p < wl.index for p in wl.preds) and all(c > wl.index for c in wl.consumers)
        assert all(wl.index in layers[p - 1].consumers for p in wl.preds)
    sim = run_simulation(load_architecture(ARCH), workload)
    tasks = sim.dag.tasks
    by = {(t.layer, t.phase, t.image): t for t in tasks}
    ends = {r.task_id: r for r in sim.records.tasks}
    for t, deps in zip(tasks, sim.dag.deps):
        # the engine never starts a task before its inputs have ended
        assert all(ends[d].end_ps <= ends[t.id].start_ps for d in deps)
    last = len(layers)
    for wl in layers:
        for image in range(2):
            fw = by[(wl.index, "FW", image)]
            assert {by[(p, "FW", image)].id for p in wl.waits} <= set(sim.dag.deps[fw.id])
            wg = sim.dag.deps[by[(wl.index, "WG", image)].id]
            if rule != "dfa" and wl.index != last:  # chain rules: the error of every consumer
                assert set(wg) == {by[(c, "AG", image)].id for c in wl.consumers}
            elif rule == "dfa" and wl.index != last:
                assert set(wg) == {by[(wl.index, "PROJ", image)].id}
