"""The architecture YAML as typed models: technology, device, subarray, PE, tile, chip.

Defaults are those of DNN+NeuroSim V2.1 (docs/reference.md), so a YAML needs to say
only what differs. Every unit is in the key's name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simcim.spec.base import SpecModel


class Technology(SpecModel):
    node_nm: int = Field(22, ge=5, le=180, description="CMOS technology node")
    clock_ghz: float = Field(1.0, gt=0, le=10, description="logic clock (NeuroSim default 1 GHz)")
    temperature_k: float = Field(300.0, ge=200, le=400)
    vdd_v: float = Field(0.8, gt=0, le=2.0, description="logic supply; scales CMOS energy as V^2")
    # Static power of powered logic and SRAM per mm^2. ~10 mW/mm^2 is the order of low-power
    # 22-28 nm logic at 300 K (ITRS 2013 PIDS tables); set it from your PDK when you have one.
    leakage_mw_per_mm2: float = Field(10.0, ge=0, le=1e4)


class Nonlinearity(SpecModel):
    ltp: float = Field(1.75, ge=0, le=10, description="potentiation nonlinearity label (NeuroSim NL)")
    ltd: float = Field(1.46, ge=0, le=10, description="depression nonlinearity label (NeuroSim NL)")
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


class Device(SpecModel):
    cell: Literal["rram", "fefet", "pcm", "sram"] = "fefet"
    bits_per_cell: int = Field(6, ge=1, le=8, description="conductance levels = 2**bits_per_cell")
    r_on_ohm: float = Field(240e3, gt=0, description="NeuroSim default Ron 240 kOhm")
    on_off_ratio: float = Field(10.0, gt=1, le=1e6)
    nonlinearity: Nonlinearity = Nonlinearity()
    variation: Variation = Variation()
    read: Pulse = Pulse(voltage_v=0.5, pulse_ns=10.0)
    write: Pulse = Pulse(voltage_v=4.0, pulse_ns=50.0)
    read_noise: float = Field(0.0, ge=0, le=1, description="relative sigma of each read current")
    cell_area_f2: float = Field(12.0, gt=0, le=1000, description="cell footprint in F^2")

    @property
    def levels(self) -> int:
        return 2**self.bits_per_cell


class Adc(SpecModel):
    bits: int = Field(5, ge=1, le=12)
    kind: Literal["mlsa", "sar", "flash"] = "mlsa"
    # Walden figure of merit: energy per conversion = FoM * 2^bits. ~50 fJ/step is the middle of
    # the Murmann ADC performance survey (1997-2023) for low-resolution, GS/s-class converters.
    fom_fj_per_step: float = Field(50.0, gt=0, le=1e5)
    latency_ns: float = Field(1.0, gt=0, le=1e4, description="one conversion")
    area_um2: float = Field(150.0, gt=0, le=1e6, description="one ADC at this node")


class Subarray(SpecModel):
    rows: int = Field(128, ge=4, le=4096)
    cols: int = Field(128, ge=4, le=4096)
    cols_per_adc: int = Field(8, ge=1, le=4096, description="columns multiplexed onto one ADC")
    adc: Adc = Adc()
    transposable: bool = Field(True, description="peripherals for the transposed (error) read of BP")

    @model_validator(mode="after")
    def _mux_divides_cols(self) -> "Subarray":
        if self.cols % self.cols_per_adc:
            raise ValueError(f"cols_per_adc ({self.cols_per_adc}) must divide cols ({self.cols})")
        return self

    @property
    def adcs(self) -> int:
        return self.cols // self.cols_per_adc


class Pe(SpecModel):
    subarrays: int = Field(4, ge=1, le=1024)
    buffer_kb: float = Field(16.0, gt=0, le=1e5)


class Tile(SpecModel):
    pes: int = Field(4, ge=1, le=1024)
    buffer_kb: float = Field(64.0, gt=0, le=1e6)


class Interconnect(SpecModel):
    topology: Literal["htree", "mesh", "bus"] = "htree"
    link_width_bits: int = Field(256, ge=1, le=65536)
    # On-chip wire energy ~0.1 pJ/bit/mm at 45 nm (W. Dally, "Power, programmability and
    # granularity", 2011); scaled to the node by the cost model.
    wire_energy_pj_per_bit_mm: float = Field(0.1, ge=0, le=100)


class Dram(SpecModel):
    kind: str = "hbm2"
    # HBM2 (JEDEC JESD235A): 8 independent 128-bit channels at 2 Gb/s per pin = 32 GB/s each.
    channels: int = Field(8, ge=1, le=1024)
    bandwidth_gbps_per_channel: float = Field(256.0, gt=0, le=1e6, description="Gbit/s per channel")
    energy_pj_per_bit: float = Field(3.9, gt=0, le=1e3, description="HBM2 3.9 pJ/bit (DNN+NeuroSim V2.1 DRAM.cpp)")
    # per_layer: each layer's tensors live in one channel ((layer-1) mod channels), so layers that
    # run at once use different channels (the study's max-over-layers assumption). interleaved:
    # a transfer is striped over as many channels as its path's bandwidth can feed.
    placement: Literal["per_layer", "interleaved"] = "per_layer"


class WeightGradient(SpecModel):
    # auto: one unit per layer for rules whose layers update in parallel (DFA, DRTP) and one shared
    # unit for sequential rules (BP, FA) -- the assumption of the study's NeuroSim fork.
    units: Literal["auto", "shared", "per_layer"] = "auto"
    arrays: int = Field(16, ge=1, le=1 << 16, description="SRAM CIM arrays per WG unit")
    rows: int = Field(128, ge=4, le=4096)
    cols: int = Field(128, ge=4, le=4096)


class Chip(SpecModel):
    tiles: int | Literal["auto"] = "auto"
    global_buffer_kb: float = Field(1024.0, gt=0, le=1e7)
    interconnect: Interconnect = Interconnect()
    dram: Dram = Dram()
    weight_gradient: WeightGradient = WeightGradient()

    @model_validator(mode="after")
    def _tiles_positive(self) -> "Chip":
        if isinstance(self.tiles, int) and self.tiles < 1:
            raise ValueError("tiles must be a positive integer or 'auto'")
        return self


class Architecture(SpecModel):
    name: str = Field(min_length=1)
    technology: Technology = Technology()
    device: Device = Device()
    subarray: Subarray = Subarray()
    pe: Pe = Pe()
    tile: Tile = Tile()
    chip: Chip = Chip()
