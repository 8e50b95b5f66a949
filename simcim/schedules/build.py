"""Turn a workload and its rule into a task DAG for one iteration (one batch).

Dependencies, per image i and layer l of L, from the rule's error path (simcim.rules):
  FW(l,i) <- FW(l-1,i)
  chain (bp, fa, ss):  AG(L,i) <- FW(L,i);  AG(l,i) <- AG(l+1,i);  WG(L,i) <- FW(L,i);  WG(l,i) <- AG(l+1,i)
  broadcast of the error (dfa):   PROJ(l,i) <- FW(L,i);  WG(l,i) <- PROJ(l,i)
  broadcast of the target (drtp): PROJ(l,i) <- FW(l,i);  WG(l,i) <- PROJ(l,i)
  none (shallow): only WG(L,i) <- FW(L,i)
  WU(l) <- WG(l,i) for every image of the batch
On a graph (simcim.network: ``waits`` and ``consumers`` of each weight layer) FW(l,i) waits for
FW(p,i) of every weight layer p it waits for (a layer reading only the input waits as layer 1 does);
chain rules: the error of layer l is ready when AG(c,i) of every consumer c has ended (BP adds
them at the branch point) -- FW(L,i) for the output layer -- and WG(l,i) and AG(l,i) wait for it;
a layer reading only the network's input has no AG. Broadcast rules do not change: every PROJ
waits for FW(L,i) (or its own FW) alone.
Images: ``layer_by_layer`` (NeuroSim's) starts image i+1 after every task of image i has ended;
``pipelined`` only keeps the input order, FW(1,i+1) <- FW(1,i), and lets resources decide.
Iterations (batches) in a row: image 0 of the next batch follows the last image the same way, and
FW(l,i) of the next batch <- WU(l) (its weights must be updated first).
"""

from __future__ import annotations

from dataclasses import dataclass

from simcim.rules import LearningRule
from simcim.schedules.tasks import Task, TaskGraph, Unit


@dataclass(frozen=True)
class Links:
    """How the weight layers feed each other, per layer (index l-1 for layer l): the layers its
    forward waits for, and the layers its output feeds (whose errors it waits for under BP)."""

    waits: tuple[tuple[int, ...], ...]
    consumers: tuple[tuple[int, ...], ...]

    @classmethod
    def chain(cls, n_layers: int) -> "Links":
        return cls(tuple(((l - 1,) if l > 1 else ()) for l in range(1, n_layers + 1)),
                   tuple(((l + 1,) if l < n_layers else ()) for l in range(1, n_layers + 1)))

    def first(self, layer: int) -> bool:
        """Whether the layer waits for no other (it reads only the network's input)."""
        return not self.waits[layer - 1]


class _Builder:
    def __init__(self, batch_size: int) -> None:
        self.graph = TaskGraph(batch_size)

    def add(self, layer: int, phase: str, image: int | None, unit: Unit, deps: list[Task | None]) -> Task:
        g = self.graph
        task = Task(len(g.tasks), layer, phase, image, unit)
        g.tasks.append(task)
        g.deps.append(tuple(sorted({d.id for d in deps if d is not None})))
        g.carry.append(())
        return task


def _image_tasks(b: _Builder, rule: LearningRule, links: Links, image: int, first_deps: list[Task]
                 ) -> tuple[list[Task], dict[int, Task]]:
    """Add the tasks of one image; return them and its WG task per layer."""
    n_layers = len(links.waits)
    tasks: list[Task] = []
    fw: dict[int, Task] = {}
    for layer in range(1, n_layers + 1):
        waits = links.waits[layer - 1]
        fw[layer] = b.add(layer, "FW", image, "weights", [fw[p] for p in waits] if waits else list(first_deps))
    tasks.extend(fw.values())
    last = fw[n_layers]
    wg: dict[int, Task] = {}
    if rule.error_path == "chain":
        # The error walks back: layer l's error is the AG output of layer l+1 (delta_L comes with
        # the output error), read on the layer's own arrays transposed or on its B arrays.
        unit: Unit = "weights" if rule.reads_transposed else "feedback"
        ag: dict[int, Task] = {}
        for layer in range(n_layers, 0, -1):
            users = links.consumers[layer - 1]
            error_sources = [ag[c] for c in users] if layer != n_layers else [last]
            wg[layer] = b.add(layer, "WG", image, "wg", error_sources)
            tasks.append(wg[layer])
            if rule.has_phase("AG", layer, n_layers, links.first(layer)):
                ag[layer] = b.add(layer, "AG", image, unit, error_sources)
                tasks.append(ag[layer])
    elif rule.error_path == "broadcast":
        # Every hidden layer projects the output error (ready after the last FW) or the target
        # (known up front: ready once the layer's own FW gave f'(a_l)).
        wg[n_layers] = b.add(n_layers, "WG", image, "wg", [last])
        tasks.append(wg[n_layers])
        for layer in range(n_layers - 1, 0, -1):
            source = last if rule.signal == "error" else fw[layer]
            proj = b.add(layer, "PROJ", image, "feedback", [source])
            wg[layer] = b.add(layer, "WG", image, "wg", [proj])
            tasks.extend((proj, wg[layer]))
    else:
        wg[n_layers] = b.add(n_layers, "WG", image, "wg", [last])
        tasks.append(wg[n_layers])
    return tasks, wg


def build_schedule(rule: LearningRule, n_layers: int, batch_size: int, schedule: str = "layer_by_layer",
                   links: Links | None = None) -> TaskGraph:
    """Task graph of one iteration, with what the next iteration waits for (``carry``). ``links``:
    how the weight layers feed each other (default: a chain)."""
    links = links or Links.chain(n_layers)
    if len(links.waits) != n_layers:
        raise ValueError(f"links for {len(links.waits)} layers, the network has {n_layers}")
    firsts = {layer for layer in range(1, n_layers + 1) if links.first(layer)}
    b = _Builder(batch_size)
    wg_by_layer: dict[int, list[Task]] = {}
    previous: list[Task] = []
    for image in range(batch_size):
        if schedule == "layer_by_layer":
            first_deps = previous  # every task of the previous image
        else:
            first_deps = [t for t in previous if t.layer in firsts and t.phase == "FW"]
        tasks, wg = _image_tasks(b, rule, links, image, first_deps)
        for layer, task in wg.items():
            wg_by_layer.setdefault(layer, []).append(task)
        previous = tasks
    wu = {layer: b.add(layer, "WU", None, "weights", list(wg_by_layer[layer])).id for layer in sorted(wg_by_layer)}
    # Across iterations: the next batch's first image follows this batch's last one as images follow
    # each other, and every forward of a layer waits for that layer's weight update.
    g = b.graph
    last_image = [t.id for t in g.tasks if t.image == batch_size - 1]
    for t in g.tasks:
        if t.phase != "FW":
            continue
        carry = {wu[t.layer]} if t.layer in wu else set()
        if t.image == 0 and t.layer in firsts:
            carry.update(last_image if schedule == "layer_by_layer" else
                         [i for i in last_image if g.tasks[i].layer in firsts and g.tasks[i].phase == "FW"])
        g.carry[t.id] = tuple(sorted(carry))
    return g
