"""The architecture YAML as typed models: technology, device, subarray, PE, tile, chip.

Defaults are those of DNN+NeuroSim V2.1's Param.cpp (github.com/neurosim/DNN_NeuroSim_V2.1;
docs/reference.md), so a YAML needs to say only what differs. Every unit is in the key's name.
Circuit figures (ADC, buffers, wires, the weight-gradient unit) are not keys: they follow from the
technology node and these sizes through the models in simcim/hardware/circuits.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from simcim.spec.base import SpecModel
from simcim.spec.limits import MAX_DRAM_CHANNELS, MAX_NAME, MAX_TILES

# Nodes with device data in NeuroSim's technology model (Technology.cpp: PTM cards, FinFET below 22 nm).
NODES_NM = (7, 10, 14, 22, 32, 45, 65, 90, 130)


class Technology(SpecModel):
    node_nm: Literal[7, 10, 14, 22, 32, 45, 65, 90, 130] = Field(
        32, description="CMOS node; one of NeuroSim's PTM-based technology tables")
    roadmap: Literal["lstp", "hp"] = Field("lstp", description="low standby power or high performance devices")
    clock_ghz: float = Field(1.0, gt=0, le=10, description="logic clock (NeuroSim default 1 GHz)")
    # NeuroSim's on/off-current tables span 300-400 K; leakage and ADC power depend on it.
    temperature_k: float = Field(300.0, ge=300, le=400)


class Nonlinearity(SpecModel):
    # A negative label is the point-mirrored curve, NeuroSim's convention (train.py: "negative if LTP
    # and LTD are asymmetric"; utee/wage_quantizer.py GetParamA keeps sign(NL)).
    ltp: float = Field(1.75, ge=-10, le=10, description="potentiation nonlinearity label (NeuroSim NL; < 0 mirrored)")
    ltd: float = Field(1.46, ge=-10, le=10, description="depression nonlinearity label (NeuroSim NL; < 0 mirrored)")
    # How depression moves a cell. retrace: back along the potentiation-shaped curve
    # G(p) = B(1 - e^(-p/A)) - 1 with A from the LTD label, as DNN+NeuroSim V2.1's training code
    # (utee/wage_quantizer.py, QG) does. mirrored: along the point-mirrored curve, steps largest
    # near Gmax, the strongly asymmetric shape of many measured devices.
    ltd_curve: Literal["retrace", "mirrored"] = "retrace"


class Variation(SpecModel):
    c2c: float = Field(0.003, ge=0, le=1, description="cycle-to-cycle sigma, fraction of Gmax-Gmin")
    d2d: float = Field(0.0, ge=0, le=10, description="device-to-device sigma of the NL label")


class Pulse(SpecModel):
    voltage_v: float = Field(gt=0, le=10)
    pulse_ns: float = Field(gt=0, le=1e6)


class FeFET(SpecModel):
    """FeFET gate and ferroelectric, for the write energy (Param.cpp: gateCapFeFET, polarization)."""

    gate_capacitance_f: float = Field(2.1717e-18, gt=0, le=1e-12)
    polarization_uc_per_cm2: float = Field(20.0, gt=0, le=1000)


class Device(SpecModel):
    cell: Literal["rram", "fefet", "pcm"] = "fefet"  # 1T1R cells; pcm is costed like rram
    bits_per_cell: int = Field(5, ge=1, le=8, description="conductance levels = 2**bits_per_cell")
    r_on_ohm: float = Field(240e3, gt=0, le=1e9, description="NeuroSim default Ron 240 kOhm")
    on_off_ratio: float = Field(100.0, gt=1, le=1e6)
    nonlinearity: Nonlinearity = Nonlinearity()
    variation: Variation = Variation()
    read: Pulse = Pulse(voltage_v=0.5, pulse_ns=10.0)
    write: Pulse = Pulse(voltage_v=4.0, pulse_ns=50.0)
    read_noise: float = Field(0.0, ge=0, le=1, description="relative sigma of each read current")
    access_voltage_v: float = Field(1.1, gt=0, le=10, description="gate voltage of the 1T1R access transistor")
    cell_height_f: float = Field(4.0, ge=1, le=100, description="1T1R cell height in F (NeuroSim 4)")
    cell_width_f: float = Field(4.0, ge=1, le=100, description="1T1R cell width in F (NeuroSim 4)")
    fefet: FeFET = FeFET()

    @property
    def levels(self) -> int:
        return 2**self.bits_per_cell


class Adc(SpecModel):
    bits: int = Field(6, ge=1, le=10, description="levels = 2**bits (NeuroSim levelOutput 64)")
    kind: Literal["mlsa", "sar"] = "mlsa"  # multilevel sense-amp (flash-like) or SAR


class ErrorRead(SpecModel):
    """The transposed (row-side) periphery for the error pass through W^T (NeuroSim's AG)."""

    rows_per_adc: int = Field(8, ge=1, le=4096, description="rows multiplexed onto one ADC (numRowMuxedAG)")
    adc_bits: int = Field(6, ge=1, le=10, description="NeuroSim levelOutputAG 64")


class Subarray(SpecModel):
    rows: int = Field(128, ge=8, le=4096)
    cols: int = Field(128, ge=8, le=4096)
    cols_per_adc: int = Field(8, ge=1, le=4096, description="columns multiplexed onto one ADC")
    adc: Adc = Adc()
    # auto: the transposed periphery is built where the learning rule reads W^T (BP); true: always;
    # false: never (rules that read W^T are refused).
    transposable: bool | Literal["auto"] = "auto"
    error_read: ErrorRead = ErrorRead()

    @model_validator(mode="after")
    def _mux_divides(self) -> "Subarray":
        if self.cols % self.cols_per_adc:
            raise ValueError(f"cols_per_adc ({self.cols_per_adc}) must divide cols ({self.cols})")
        if self.rows % self.error_read.rows_per_adc:
            raise ValueError(f"error_read.rows_per_adc ({self.error_read.rows_per_adc}) must divide rows ({self.rows})")
        return self

    @property
    def adcs(self) -> int:
        return self.cols // self.cols_per_adc


def _square(value: int, what: str) -> int:
    side = math.isqrt(value)
    if side * side != value:
        raise ValueError(f"{what} must be a square number (PEs and tiles are square grids), got {value}")
    return value


class Pe(SpecModel):
    subarrays: int = Field(16, ge=1, le=4096, description="subarrays per PE, a square grid (NeuroSim 4x4)")

    @model_validator(mode="after")
    def _is_square(self) -> "Pe":
        _square(self.subarrays, "pe.subarrays")
        return self


class Tile(SpecModel):
    pes: int = Field(4, ge=1, le=4096, description="PEs per conventional tile, a square grid (NeuroSim 2x2)")

    @model_validator(mode="after")
    def _is_square(self) -> "Tile":
        _square(self.pes, "tile.pes")
        return self


class Mapping(SpecModel):
    """NeuroSim V2.1's mapping options (Chip.cpp: ChipDesignInitialize, ChipFloorPlan)."""

    # Conv layers of the most common kernel size get one PE per kernel position (input reuse).
    novel: bool = False
    # Copies of small layers fill the PEs / subarrays they would leave empty, and run in parallel.
    duplication: bool = False
    # Tile and PE sizes chosen for the network (powers of two, best utilization) instead of pe/tile.
    floorplan_search: bool = False


class Interconnect(SpecModel):
    topology: Literal["htree", "mesh", "bus"] = "htree"
    max_bus_width_bits: int = Field(8192, ge=8, le=1 << 20, description="NeuroSim maxGlobalBusWidth")
    delay_tolerance: float = Field(0.1, ge=0, le=10, description="repeater downsizing vs optimal delay")
    # partitioned: as NeuroSim, each layer owns a share of the chip bus and the global-buffer
    # bandwidth in proportion to its tiles (nothing contends); shared: every transfer competes for
    # the bus root and the global-buffer port.
    bandwidth: Literal["partitioned", "shared"] = "partitioned"


class Dram(SpecModel):
    kind: str = Field("hbm2", min_length=1, max_length=MAX_NAME)
    # DNN+NeuroSim V2.1 DRAM.cpp: HBM2 15.2e12 bit/s in all and 3.9 pJ/bit; here 8 channels of 1900 Gb/s.
    channels: int = Field(8, ge=1, le=MAX_DRAM_CHANNELS)
    bandwidth_gbps_per_channel: float = Field(1900.0, gt=0, le=1e6, description="Gbit/s per channel")
    energy_pj_per_bit: float = Field(3.9, gt=0, le=1e3, description="HBM2 3.9 pJ/bit (NeuroSim V2.1 DRAM.cpp)")
    # per_layer: each layer's tensors live in one channel ((layer-1) mod channels), so layers that
    # run at once use different channels (the study's max-over-layers assumption). interleaved:
    # a transfer is striped over every channel of a shared pool.
    placement: Literal["per_layer", "interleaved"] = "per_layer"


class WeightGradient(SpecModel):
    # auto: one unit per layer for rules whose layers update in parallel (DFA, DRTP) and one shared
    # unit for sequential rules (BP, FA) -- the assumption of the study's NeuroSim fork.
    units: Literal["auto", "shared", "per_layer"] = "auto"
    # SRAM CIM subarrays of the unit and their readout (NeuroSim numRowSubArrayWG, numRowMuxedWG, levelOutputWG).
    subarray_rows: int = Field(128, ge=8, le=4096)
    subarray_cols: int = Field(128, ge=8, le=4096)
    rows_per_adc: int = Field(8, ge=1, le=4096)
    adc_bits: int = Field(4, ge=1, le=10)

    @model_validator(mode="after")
    def _mux_divides(self) -> "WeightGradient":
        if self.subarray_rows % self.rows_per_adc:
            raise ValueError(f"rows_per_adc ({self.rows_per_adc}) must divide subarray_rows ({self.subarray_rows})")
        return self


class Chip(SpecModel):
    tiles: Annotated[int, Field(ge=1, le=MAX_TILES)] | Literal["auto"] = "auto"
    buffers: Literal["register_file", "sram"] = "register_file"  # global, tile and PE buffers
    mapping: Mapping = Mapping()
    interconnect: Interconnect = Interconnect()
    dram: Dram = Dram()
    weight_gradient: WeightGradient = WeightGradient()

    @model_validator(mode="after")
    def _tiles_positive(self) -> "Chip":
        if isinstance(self.tiles, int) and self.tiles < 1:
            raise ValueError("tiles must be a positive integer or 'auto'")
        return self


class Architecture(SpecModel):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    technology: Technology = Technology()
    device: Device = Device()
    subarray: Subarray = Subarray()
    pe: Pe = Pe()
    tile: Tile = Tile()
    chip: Chip = Chip()
