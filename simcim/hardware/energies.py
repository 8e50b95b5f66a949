"""Energy of one event of each kind on this chip (a cell read, a conversion, an add, an SRAM bit),
from the device spec and the CMOS reference numbers scaled to the node. The cost model multiplies
these by event counts; the graph uses the SRAM figure for data passing the global buffer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from simcim.hardware import constants as C
from simcim.hardware.scaling import energy_scale
from simcim.spec.architecture import Architecture


@dataclass(frozen=True)
class DeviceEnergies:
    """Per-event energies of the memory device and periphery, pJ."""

    cell_read_pj: float  # one cell, one read pulse, average conductance
    cell_write_pj: float  # one cell, one write pulse
    adc_conversion_pj: float
    add16_pj: float
    add32_pj: float
    mac8_pj: float
    sram_bit_pj: float


@lru_cache(maxsize=64)
def device_energies(arch: Architecture) -> DeviceEnergies:
    dev = arch.device
    g_on = 1.0 / dev.r_on_ohm
    g_avg = (g_on + g_on / dev.on_off_ratio) / 2.0  # cells spread over the conductance range
    # E = V^2 * G * t for a resistive read/write (J -> pJ). A FeFET write is capacitive and costs
    # less; this resistive form is the upper bound NeuroSim uses for 1T1R cells.
    cell_read = dev.read.voltage_v**2 * g_avg * dev.read.pulse_ns * 1e-9 * 1e12
    cell_write = dev.write.voltage_v**2 * g_avg * dev.write.pulse_ns * 1e-9 * 1e12
    adc = arch.subarray.adc.fom_fj_per_step * 2**arch.subarray.adc.bits * 1e-3
    s = energy_scale(arch.technology)
    return DeviceEnergies(
        cell_read_pj=cell_read,
        cell_write_pj=cell_write,
        adc_conversion_pj=adc,
        add16_pj=2 * C.ADD8_ENERGY_PJ * s,  # ripple-carry energy grows linearly with width
        add32_pj=C.ADD32_ENERGY_PJ * s,
        mac8_pj=(C.MULT8_ENERGY_PJ + C.ADD32_ENERGY_PJ) * s,
        sram_bit_pj=C.SRAM_ENERGY_PJ_PER_BIT * s,
    )
