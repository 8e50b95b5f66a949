"""Area of every component, rolled up subarray -> PE -> tile -> chip, by component kind (um^2)."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from simcim.hardware import constants as C
from simcim.hardware.scaling import area_scale
from simcim.spec.architecture import Architecture

AREA_COMPONENTS = ("arrays", "adc", "accumulation", "buffers", "interconnect", "wg_units")


def _sram_um2(arch: Architecture, bits: float) -> float:
    return bits * C.SRAM_CELL_AREA_UM2 * C.SRAM_ARRAY_OVERHEAD * area_scale(arch.technology)


def _add16_um2(arch: Architecture) -> float:
    return 2 * C.ADD8_AREA_UM2 * area_scale(arch.technology)


@lru_cache(maxsize=64)
def subarray_area_um2(arch: Architecture) -> dict[str, float]:
    sa, s = arch.subarray, area_scale(arch.technology)
    f_um = arch.technology.node_nm / 1000.0
    return {
        "arrays": sa.rows * sa.cols * arch.device.cell_area_f2 * f_um**2 + sa.rows * C.ROW_DRIVER_AREA_UM2 * s,
        "adc": sa.adcs * sa.adc.area_um2,
        "accumulation": sa.adcs * _add16_um2(arch),  # one shift-add per ADC
    }


@lru_cache(maxsize=64)
def tile_area_um2(arch: Architecture) -> dict[str, float]:
    """One tile: its PEs (subarrays, PE buffer, adder tree), tile buffer and tile accumulation."""
    pe, tile, sa = arch.pe, arch.tile, arch.subarray
    out: Counter[str] = Counter()
    for key, val in subarray_area_um2(arch).items():
        out[key] += val * pe.subarrays * tile.pes
    out["buffers"] += tile.pes * _sram_um2(arch, pe.buffer_kb * 8192) + _sram_um2(arch, tile.buffer_kb * 8192)
    adders = tile.pes * max(pe.subarrays - 1, 0) * sa.adcs + max(tile.pes - 1, 0) * sa.cols
    out["accumulation"] += adders * _add16_um2(arch)
    return dict(out)


def tile_pitch_mm(arch: Architecture) -> float:
    """Side of a square tile, for wire lengths."""
    return (sum(tile_area_um2(arch).values()) ** 0.5) / 1000.0


def wg_unit_area_um2(arch: Architecture) -> float:
    """SRAM-CIM arrays plus one 32-bit accumulator per column of each array."""
    wg = arch.chip.weight_gradient
    accum = wg.arrays * wg.cols * C.ADD32_AREA_UM2 * area_scale(arch.technology)
    return _sram_um2(arch, wg.arrays * wg.rows * wg.cols) + accum


def chip_area_um2(arch: Architecture, tiles: int, wg_units: int, wire_bit_mm: float) -> dict[str, float]:
    """Whole chip by component. ``wire_bit_mm`` is the sum over links of width x length."""
    out: Counter[str] = Counter()
    for key, val in tile_area_um2(arch).items():
        out[key] += val * tiles
    out["buffers"] += _sram_um2(arch, arch.chip.global_buffer_kb * 8192)
    out["wg_units"] += wg_units * wg_unit_area_um2(arch)
    pitch_um = C.WIRE_PITCH_F * arch.technology.node_nm / 1000.0
    out["interconnect"] += wire_bit_mm * 1000.0 * pitch_um
    return {k: float(out.get(k, 0.0)) for k in AREA_COMPONENTS}
