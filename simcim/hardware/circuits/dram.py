"""Off-chip DRAM as NeuroSim models it (DRAM.cpp): a bandwidth and an energy per bit, nothing else.

There is no access latency, burst or page model: moving N bits takes N / bandwidth and costs
N x energy per bit.
"""

from __future__ import annotations

from dataclasses import dataclass

# DRAM.cpp:DRAM::Initialize -- dramType 1 (GDDR5) and 2 (HBM2, NeuroSim's default)
_KINDS: dict[str, tuple[float, float]] = {
    "gddr5": (4.288e12, 14e-12),
    "hbm2": (15.2e12, 3.9e-12),
}
DRAM_KINDS: tuple[str, ...] = tuple(_KINDS)


@dataclass(frozen=True)
class Dram:
    """A DRAM kind ("gddr5" or "hbm2")."""

    kind: str = "hbm2"

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"DRAM kind {self.kind!r} is not one of {DRAM_KINDS}")

    @property
    def bandwidth_bit_per_s(self) -> float:
        """Total bandwidth. DRAM.cpp:DRAM::Initialize."""
        return _KINDS[self.kind][0]

    @property
    def energy_per_bit_j(self) -> float:
        """Energy per bit moved. DRAM.cpp:DRAM::Initialize."""
        return _KINDS[self.kind][1]

    def latency_s(self, bits: float) -> float:
        """bits / bandwidth. DRAM.cpp:DRAM::CalculateLatency."""
        return bits / self.bandwidth_bit_per_s

    def energy_j(self, bits: float) -> float:
        """bits x energy per bit. DRAM.cpp:DRAM::CalculatePower."""
        return bits * self.energy_per_bit_j
