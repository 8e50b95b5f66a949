"""Where the bundled architectures, workloads and sweeps live, and how a bundled name
(``mlp5-dfa``) resolves to its file.

In a source checkout (and an editable install) they are the top-level ``architectures/``,
``workloads/`` and ``sweeps/`` folders. A wheel carries copies of them as package data in
``simcim/bundled/`` (setup.py's build step; tests/test_wheel.py checks the copies are equal), with
the same layout, so the sweeps' ``../architectures/...`` paths hold in both.
"""

from __future__ import annotations

from pathlib import Path

FOLDERS = ("architectures", "workloads", "sweeps", "studies")
PACKAGE_DATA = Path(__file__).resolve().parent / "bundled"
CHECKOUT = Path(__file__).resolve().parent.parent


def _bundled_root() -> Path:
    """The folder that holds architectures/, workloads/ and sweeps/: the package's copy when it is
    installed from a wheel, else the checkout."""
    if (PACKAGE_DATA / "architectures").is_dir():
        return PACKAGE_DATA
    return CHECKOUT


ROOT = _bundled_root()
ARCHITECTURES = ROOT / "architectures"
WORKLOADS = ROOT / "workloads"
SWEEPS = ROOT / "sweeps"
STUDIES = ROOT / "studies"
DEFAULT_ARCHITECTURE = ARCHITECTURES / "neurosim-fefet-22nm.yaml"
DEFAULT_WORKLOAD = WORKLOADS / "mlp5-dfa.yaml"
DEFAULT_STUDY = STUDIES / "wolters2023.yaml"


def _resolve(source: str | Path, folder: Path) -> Path:
    """``source`` itself when that file exists; else the bundled ``folder/source.yaml`` when
    ``source`` is a bare name that names one; else ``source`` (the loader reports it missing)."""
    path = Path(source)
    if path.exists() or len(path.parts) != 1 or path.suffix in (".yaml", ".yml"):
        return path
    bundled = folder / f"{path.name}.yaml"
    return bundled if bundled.is_file() else path


def resolve_architecture(source: str | Path) -> Path:
    return _resolve(source, ARCHITECTURES)


def resolve_workload(source: str | Path) -> Path:
    return _resolve(source, WORKLOADS)


def resolve_sweep(source: str | Path) -> Path:
    return _resolve(source, SWEEPS)


def resolve_study(source: str | Path) -> Path:
    return _resolve(source, STUDIES)


def bundled(folder: Path) -> list[Path]:
    """The bundled YAML files of one folder, by name."""
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []
