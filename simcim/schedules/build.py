"""Turn a workload and its rule into a task DAG for one iteration (one batch).

Dependencies, per image i and layer l of L, from the rule's error path (simcim.rules):
  FW(l,i) <- FW(l-1,i)
  chain (bp, fa, ss):  AG(L,i) <- FW(L,i);  AG(l,i) <- AG(l+1,i);  WG(L,i) <- FW(L,i);  WG(l,i) <- AG(l+1,i)
  broadcast of the error (dfa):   PROJ(l,i) <- FW(L,i);  WG(l,i) <- PROJ(l,i)
  broadcast of the target (drtp): PROJ(l,i) <- FW(l,i);  WG(l,i) <- PROJ(l,i)
  none (shallow): only WG(L,i) <- FW(L,i)
  WU(l) <- WG(l,i) for every image of the batch
Images: ``layer_by_layer`` (NeuroSim's) starts image i+1 after every task of image i has ended;
``pipelined`` only keeps the input order, FW(1,i+1) <- FW(1,i), and lets resources decide.
Iterations (batches) in a row: image 0 of the next batch follows the last image the same way, and
FW(l,i) of the next batch <- WU(l) (its weights must be updated first).
"""

from __future__ import annotations

from simcim.rules import LearningRule
from simcim.schedules.tasks import Task, TaskGraph, Unit


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


def _image_tasks(b: _Builder, rule: LearningRule, n_layers: int, image: int, first_deps: list[Task]
                 ) -> tuple[list[Task], dict[int, Task]]:
    """Add the tasks of one image; return them and its WG task per layer."""
    tasks: list[Task] = []
    fw: dict[int, Task] = {}
    prev: list[Task | None] = list(first_deps)
    for layer in range(1, n_layers + 1):
        fw[layer] = b.add(layer, "FW", image, "weights", prev)
        prev = [fw[layer]]
    tasks.extend(fw.values())
    last = fw[n_layers]
    wg: dict[int, Task] = {}
    if rule.error_path == "chain":
        # The error walks back: layer l's error is the AG output of layer l+1 (delta_L comes with
        # the output error), read on the layer's own arrays transposed or on its B arrays.
        unit: Unit = "weights" if rule.reads_transposed else "feedback"
        error_source = last
        for layer in range(n_layers, 0, -1):
            wg[layer] = b.add(layer, "WG", image, "wg", [error_source])
            tasks.append(wg[layer])
            if rule.has_phase("AG", layer, n_layers):
                error_source = b.add(layer, "AG", image, unit, [error_source])
                tasks.append(error_source)
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


def build_schedule(rule: LearningRule, n_layers: int, batch_size: int, schedule: str = "layer_by_layer") -> TaskGraph:
    """Task graph of one iteration, with what the next iteration waits for (``carry``)."""
    b = _Builder(batch_size)
    wg_by_layer: dict[int, list[Task]] = {}
    previous: list[Task] = []
    for image in range(batch_size):
        if schedule == "layer_by_layer":
            first_deps = previous  # every task of the previous image
        else:
            first_deps = [t for t in previous if t.layer == 1 and t.phase == "FW"]
        tasks, wg = _image_tasks(b, rule, n_layers, image, first_deps)
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
        if t.image == 0 and t.layer == 1:
            carry.update(last_image if schedule == "layer_by_layer" else
                         [i for i in last_image if g.tasks[i].layer == 1 and g.tasks[i].phase == "FW"])
        g.carry[t.id] = tuple(sorted(carry))
    return g
