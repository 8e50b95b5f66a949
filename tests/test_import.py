"""`simcim import`: torchvision models through torch.fx and through ONNX, checked against torch's own
count of parameters and MACs (forward hooks), simulated under BP and DFA; unsupported ops stop the
import with the op, the node and the source line, and nothing is written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from helpers_spine import ROOT  # noqa: E402
from simcim.cli import main  # noqa: E402
from simcim.errors import UserError  # noqa: E402
from simcim.importers.torch_graph import import_torchvision  # noqa: E402
from simcim.network import weight_layers  # noqa: E402
from simcim.simulation import run_simulation  # noqa: E402
from simcim.spec.loader import load_architecture, load_workload  # noqa: E402

try:  # not pytest.importorskip: a torchvision whose compiled ops do not match torch fails on import
    MODELS = import_torchvision()
except UserError:
    pytest.skip("torchvision is not installed (the 'import' extra)", allow_module_level=True)
ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"


def _hook_counts(name: str, shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """(weights, MACs) of every Conv2d and Linear in the order torch runs them, from forward hooks on
    the torch model itself: weights = the weight tensor's elements, MACs = weights x output positions."""
    with torch.device("meta"):
        model = MODELS.get_model(name, weights=None).eval()
    seen: list[tuple[int, int]] = []

    def hook(module, inputs, output) -> None:
        positions = output.shape[2] * output.shape[3] if output.dim() == 4 else 1
        seen.append((module.weight.numel(), module.weight.numel() * positions))

    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.empty(1, *shape, device="meta"))
    return seen


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "mobilenet_v2", "vgg16"])
def test_imported_torchvision_matches_torch_and_simulates(tmp_path, capsys, name: str) -> None:
    out = tmp_path / f"{name}.yaml"
    assert main(["import", f"torchvision:{name}", "--input-shape", "3,224,224", "-o", str(out),
                 "--batch-size", "1"]) == 0
    text = out.read_text()
    assert text.startswith(f"# Made by: simcim import torchvision:{name} --input-shape 3,224,224 -o {out}")
    workload = load_workload(out)
    layers = weight_layers(workload)
    assert [(wl.weights, wl.macs) for wl in layers] == _hook_counts(name, (3, 224, 224))
    arch = load_architecture(ARCH)
    for rule in ("bp", "dfa"):
        sim = run_simulation(arch, load_workload(out, {"rule": rule}))
        assert sim.records.makespan_ps > 0
        assert {t.layer for t in sim.records.tasks if t.phase == "FW"} == set(range(1, len(layers) + 1))


@pytest.mark.parametrize("name, weight_layers_count", [("resnet18", 21), ("mobilenet_v2", 53)])
def test_onnx_export_gives_the_same_workload(tmp_path, name: str, weight_layers_count: int) -> None:
    """torch.onnx.export (eval mode: batch norm fused into the convolutions, ReLU6 as Clip, the
    adaptive pooling as GlobalAveragePool) gives the YAML the torch.fx import gives."""
    pytest.importorskip("onnx")
    with torch.device("cpu"):
        model = MODELS.get_model(name, weights=None, num_classes=10).eval()
    onnx_path = tmp_path / f"{name}.onnx"
    torch.onnx.export(model, (torch.zeros(1, 3, 32, 32),), str(onnx_path), dynamo=False)
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert main(["import", f"torchvision:{name}", "--input-shape", "3,32,32", "--num-classes", "10",
                 "-o", str(a), "--name", "r18"]) == 0
    assert main(["import", str(onnx_path), "-o", str(b), "--name", "r18"]) == 0

    def body(p: Path) -> list[str]:
        return [line for line in p.read_text().splitlines() if not line.startswith("#")]

    assert body(a) == body(b)
    assert len(weight_layers(load_workload(b))) == weight_layers_count


NETS = '''\
import torch
from torch import nn


class Up(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.up = nn.ConvTranspose2d(4, 4, 2, stride=2)

    def forward(self, x):
        return self.up(self.conv(x))


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(8, 8)
        self.b = nn.Linear(8, 8)

    def forward(self, x):
        return self.a(x) * torch.sigmoid(self.b(x))


def up():
    return Up()


def gate():
    return Gate()
'''


@pytest.mark.parametrize("factory, shape, message", [
    ("up", "1,8,8", "unsupported op ConvTranspose2d at node 'up' (nets.py:12); nothing written"),
    ("gate", "8", "unsupported op mul at node 'mul' (nets.py:22); nothing written"),
])
def test_unsupported_op_names_op_node_and_line(tmp_path, capsys, factory: str, shape: str, message: str) -> None:
    (tmp_path / "nets.py").write_text(NETS)
    out = tmp_path / "out.yaml"
    out.write_text("# the user's file\n")
    code = main(["import", f"{tmp_path / 'nets.py'}:{factory}", "--input-shape", shape, "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == f"simcim: error: {message}", err
    assert out.read_text() == "# the user's file\n"  # nothing written
    assert sorted(os.listdir(tmp_path)) == ["nets.py", "out.yaml"]  # no temporary file left


def test_module_factory_and_package_function(tmp_path, monkeypatch) -> None:
    """FILE.py:FUNCTION and PACKAGE.MODULE:FUNCTION give the same network; it simulates."""
    (tmp_path / "mynets.py").write_text(
        "from torch import nn\n\n\ndef build(num_classes=10):\n"
        "    return nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, num_classes))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert main(["import", f"{tmp_path / 'mynets.py'}:build", "--input-shape", "1,28,28", "-o", str(a), "--name", "m"]) == 0
    assert main(["import", "mynets:build", "--input-shape", "1,28,28", "-o", str(b), "--name", "m"]) == 0
    lines = a.read_text().splitlines()
    assert lines[1:] == b.read_text().splitlines()[1:]
    assert lines[4:7] == ["  - {kind: flatten}", "  - {kind: linear, out_features: 64, activation: relu}",
                          "  - {kind: linear, out_features: 10, activation: none}"]
    assert main(["run", str(ARCH), str(a), "--quiet"]) == 0


def test_network_the_simulator_refuses_is_not_written(tmp_path, capsys) -> None:
    """A network past a bound (here: wider than a layer may be) stops before the file is written."""
    (tmp_path / "wide.py").write_text("from torch import nn\n\n\ndef wide():\n"
                                      "    return nn.Sequential(nn.Linear(4, 2_000_000), nn.Linear(2_000_000, 2))\n")
    out = tmp_path / "w.yaml"
    code = main(["import", f"{tmp_path / 'wide.py'}:wide", "--input-shape", "4", "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert err.startswith("simcim: error: the imported network is not a valid workload (line 5: layers[0].out_features:")
    assert err.endswith("nothing written")


def test_unsupported_onnx_op_names_op_and_node(tmp_path, capsys) -> None:
    pytest.importorskip("onnx")
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Upsample(scale_factor=2), torch.nn.Flatten(),
                                torch.nn.Linear(2 * 12 * 12, 3)).eval()
    path = tmp_path / "up.onnx"
    torch.onnx.export(model, (torch.zeros(1, 1, 8, 8),), str(path), dynamo=False)
    out = tmp_path / "w.yaml"
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("simcim: error: unsupported op Resize at node '/1/Resize'"), err
    assert err.endswith("nothing written") and not out.exists()


def test_view_flatten_and_functional_ops(tmp_path) -> None:
    """A LeNet written the old way: functional pooling and activations, x.view(x.size(0), -1)."""
    (tmp_path / "lenet.py").write_text(
        "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"
        "class LeNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.c1 = nn.Conv2d(1, 6, 5)\n        self.c2 = nn.Conv2d(6, 16, 5)\n"
        "        self.f1 = nn.Linear(256, 120)\n        self.f2 = nn.Linear(120, 10)\n\n"
        "    def forward(self, x):\n"
        "        x = F.max_pool2d(F.relu(self.c1(x)), 2)\n"
        "        x = F.max_pool2d(torch.relu(self.c2(x)), 2)\n"
        "        x = x.view(x.size(0), -1)\n"
        "        return self.f2(F.relu(self.f1(x)))\n\n\n"
        "def lenet():\n    return LeNet()\n")
    out = tmp_path / "lenet.yaml"
    assert main(["import", f"{tmp_path / 'lenet.py'}:lenet", "--input-shape", "1,28,28", "-o", str(out)]) == 0
    assert [line.strip() for line in out.read_text().splitlines()[4:11]] == [
        "- {kind: conv2d, out_channels: 6, kernel: 5, padding: 0, activation: relu}",
        "- {kind: maxpool, kernel: 2}",
        "- {kind: conv2d, out_channels: 16, kernel: 5, padding: 0, activation: relu}",
        "- {kind: maxpool, kernel: 2}",
        "- {kind: flatten}",
        "- {kind: linear, out_features: 120, activation: relu}",
        "- {kind: linear, out_features: 10, activation: none}"]


def test_input_shape_that_does_not_fit_the_model(tmp_path, capsys) -> None:
    out = tmp_path / "r.yaml"
    assert main(["import", "torchvision:resnet18", "--input-shape", "1,32,32", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"simcim: error: node conv1 at resnet\.py:\d+: the model's layer takes 3 input channels, "
                        r"the network gives it 1 \(check --input-shape\); nothing written", err), err
    assert not out.exists()
