"""Technology scaling of the 45 nm reference constants: first-order C*V^2 for energy, F^2 for area.

C scales with feature size and energy with C*V^2 (Dennard); Stillmaker & Baas, "Scaling equations
for the accurate prediction of CMOS device performance from 180 nm to 7 nm", Integration 2017,
give fitted factors that stay within ~2x of this first-order rule down to 14 nm.
"""

from __future__ import annotations

from simcim.hardware.constants import REFERENCE_NODE_NM, REFERENCE_VDD_V
from simcim.spec.architecture import Technology


def energy_scale(tech: Technology) -> float:
    """Factor that takes a 45 nm / 0.9 V logic energy to this node and supply."""
    return (tech.node_nm / REFERENCE_NODE_NM) * (tech.vdd_v / REFERENCE_VDD_V) ** 2


def area_scale(tech: Technology) -> float:
    """Factor that takes a 45 nm area to this node."""
    return (tech.node_nm / REFERENCE_NODE_NM) ** 2


def wire_energy_scale(tech: Technology) -> float:
    """Wire capacitance per mm barely scales with the node; only the supply does."""
    return (tech.vdd_v / REFERENCE_VDD_V) ** 2
