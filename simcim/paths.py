"""Where the bundled architectures and workloads live (a source checkout or an editable install),
and how a bundled name (``mlp5-dfa``) resolves to its file."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURES = ROOT / "architectures"
WORKLOADS = ROOT / "workloads"
DEFAULT_ARCHITECTURE = ARCHITECTURES / "neurosim-fefet-22nm.yaml"
DEFAULT_WORKLOAD = WORKLOADS / "mlp5-dfa.yaml"


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
