"""PTM transistor cards that NeuroSim V2.1 tabulates, per (node, roadmap), conventional CMOS only.

Source: Technology.cpp:Technology::Initialize (github.com/neurosim/DNN_NeuroSim_V2.1,
Training_pytorch/NeuroSIM/Technology.cpp), itself from the Predictive Technology Model cards and
CACTI. Currents are per metre of gate width at 300, 310, ..., 400 K (11 grid points); the kelvins in
between are interpolated by ``technology.technology``. Fin geometry is zero for bulk nodes (>= 22 nm).

Two values are kept as the model has them although they look like typos: the 10 nm HP PMOS
off-current at 300 K (1.6268e-3 A/m, where the 310 K value is 0.158 A/m) and the 22 nm LSTP PMOS
off-current row, which repeats the NMOS row. See docs/neurosim-port.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _Card:
    """One transistor card: what Technology::Initialize stores before deriving anything."""

    vdd_v: float
    vth_v: float
    gate_length_m: float
    cap_ideal_gate_f_per_m: float
    cap_fringe_f_per_m: float
    resistance_multiplier: float
    gm_current_n_a_per_m: float
    gm_current_p_a_per_m: float
    fin_height_m: float
    fin_width_m: float
    fin_pitch_m: float
    on_n_a_per_m: tuple[float, ...]
    on_p_a_per_m: tuple[float, ...]
    off_n_a_per_m: tuple[float, ...]
    off_p_a_per_m: tuple[float, ...]


# Technology.cpp:Technology::Initialize (transistorType == conventional)
CARDS: dict[tuple[int, str], _Card] = {
    (130, "LSTP"): _Card(
        vdd_v=1.3, vth_v=0.4660949, gate_length_m=1.3e-07,
        cap_ideal_gate_f_per_m=1.8574e-09, cap_fringe_f_per_m=9.530642e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=38.7, gm_current_p_a_per_m=56.7,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(300.7, 273.4, 249.4, 228.4, 209.9, 193.5, 179.0, 166.0, 154.4, 144.0, 134.6),
        on_p_a_per_m=(150.7, 136.2, 123.6, 112.7, 103.2, 94.88, 87.54, 81.04, 75.25, 70.08, 65.44),
        off_n_a_per_m=(0.0001002, 0.0001359, 0.0001812, 0.0002378, 0.0003073, 0.0003919, 0.0004933, 0.0006137, 0.0007553, 0.0009202, 0.001111),
        off_p_a_per_m=(0.0001002, 0.0001328, 0.000173, 0.0002219, 0.0002807, 0.0003504, 0.0004322, 0.0005272, 0.0006368, 0.0007619, 0.0009038)),
    (90, "LSTP"): _Card(
        vdd_v=1.2, vth_v=0.5013229, gate_length_m=9e-08,
        cap_ideal_gate_f_per_m=1.5413e-10, cap_fringe_f_per_m=9.601334e-10,
        resistance_multiplier=1.77, gm_current_n_a_per_m=43.8, gm_current_p_a_per_m=59.9,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(346.3, 314.5, 286.8, 262.5, 241.2, 222.3, 205.6, 190.8, 177.5, 165.6, 155.0),
        on_p_a_per_m=(200.3, 179.5, 161.9, 146.9, 133.9, 122.6, 112.8, 104.1, 96.47, 89.68, 83.62),
        off_n_a_per_m=(0.0001, 0.0001357, 0.0001811, 0.000238, 0.0003085, 0.0003946, 0.0004985, 0.0006226, 0.0007693, 0.0009412, 0.001141),
        off_p_a_per_m=(0.0001003, 0.0001332, 0.0001742, 0.0002244, 0.0002851, 0.0003576, 0.0004434, 0.0005437, 0.00066, 0.0007938, 0.0009464)),
    (65, "LSTP"): _Card(
        vdd_v=1.1, vth_v=0.5016636, gate_length_m=6.5e-08,
        cap_ideal_gate_f_per_m=1.1926e-09, cap_fringe_f_per_m=9.62148e-10,
        resistance_multiplier=1.77, gm_current_n_a_per_m=59.0, gm_current_p_a_per_m=67.5,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(400.0, 363.9, 332.3, 304.7, 280.4, 258.9, 239.9, 223.0, 207.9, 194.3, 182.1),
        on_p_a_per_m=(238.7, 216.1, 196.6, 179.7, 164.9, 152.0, 140.5, 130.4, 121.4, 113.3, 106.1),
        off_n_a_per_m=(0.0001002, 0.0001375, 0.0001858, 0.0002472, 0.0003242, 0.0004193, 0.0005354, 0.0006757, 0.0008431, 0.001041, 0.001273),
        off_p_a_per_m=(0.0001002, 0.0001354, 0.0001797, 0.0002349, 0.0003025, 0.0003843, 0.0004822, 0.000598, 0.0007339, 0.0008916, 0.001073)),
    (45, "LSTP"): _Card(
        vdd_v=1.0, vth_v=0.4643718, gate_length_m=4.5e-08,
        cap_ideal_gate_f_per_m=8.930709e-10, cap_fringe_f_per_m=8.849901e-10,
        resistance_multiplier=1.77, gm_current_n_a_per_m=132.0, gm_current_p_a_per_m=86.5,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(500.2, 462.0, 427.8, 397.1, 369.4, 344.5, 322.1, 301.8, 283.4, 266.7, 251.5),
        on_p_a_per_m=(300.0, 275.7, 254.2, 235.1, 218.1, 202.8, 189.2, 176.9, 165.8, 155.8, 146.7),
        off_n_a_per_m=(0.0001, 0.0001405, 0.0001939, 0.0002631, 0.0003514, 0.0004625, 0.0006003, 0.0007692, 0.0009739, 0.001219, 0.001511),
        off_p_a_per_m=(0.0001002, 0.0001384, 0.0001876, 0.0002501, 0.0003281, 0.0004241, 0.0005409, 0.0006813, 0.0008483, 0.001045, 0.001275)),
    (32, "LSTP"): _Card(
        vdd_v=0.9, vth_v=0.442034, gate_length_m=3.4e-08,
        cap_ideal_gate_f_per_m=8.375279e-10, cap_fringe_f_per_m=6.856677e-10,
        resistance_multiplier=1.77, gm_current_n_a_per_m=256.0, gm_current_p_a_per_m=119.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(600.2, 562.8, 528.2, 496.2, 466.8, 439.7, 414.8, 391.9, 370.7, 351.3, 333.3),
        on_p_a_per_m=(400.0, 368.4, 340.3, 315.3, 292.9, 272.8, 254.8, 238.5, 223.8, 210.5, 198.4),
        off_n_a_per_m=(0.0001001, 0.0001436, 0.0002021, 0.0002793, 0.0003795, 0.0005075, 0.0006688, 0.0008692, 0.001115, 0.001415, 0.001774),
        off_p_a_per_m=(0.0001001, 0.0001407, 0.000194, 0.0002625, 0.0003493, 0.0004577, 0.0005912, 0.0007537, 0.0009493, 0.001182, 0.001457)),
    (22, "LSTP"): _Card(
        vdd_v=0.85, vth_v=0.419915, gate_length_m=2e-08,
        cap_ideal_gate_f_per_m=5.245e-10, cap_fringe_f_per_m=8.004e-10,
        resistance_multiplier=1.77, gm_current_n_a_per_m=456.0, gm_current_p_a_per_m=185.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(791.9, 756.4, 722.2, 689.4, 658.1, 628.3, 600.0, 573.3, 548.0, 524.2, 501.7),
        on_p_a_per_m=(600.2, 561.3, 525.5, 492.5, 462.2, 434.3, 408.7, 385.1, 363.4, 343.3, 324.8),
        off_n_a_per_m=(0.0001, 0.0001473, 0.0002121, 0.0002996, 0.0004153, 0.0005658, 0.0007589, 0.001003, 0.001307, 0.001682, 0.002139),
        off_p_a_per_m=(0.0001, 0.0001473, 0.0002121, 0.0002996, 0.0004153, 0.0005658, 0.0007589, 0.001003, 0.001307, 0.001682, 0.002139)),
    (14, "LSTP"): _Card(
        vdd_v=0.8, vth_v=0.3821222, gate_length_m=1.8e-08,
        cap_ideal_gate_f_per_m=1.0572e-09, cap_fringe_f_per_m=0.0,
        resistance_multiplier=1.76, gm_current_n_a_per_m=602.0, gm_current_p_a_per_m=236.0,
        fin_height_m=2.3e-08, fin_width_m=1e-08, fin_pitch_m=3.2e-08,
        on_n_a_per_m=(893.0, 853.0, 814.0, 777.0, 742.0, 708.0, 677.0, 646.0, 618.0, 591.0, 565.0),
        on_p_a_per_m=(820.0, 767.0, 718.0, 672.0, 631.0, 593.0, 558.0, 526.0, 496.0, 469.0, 443.0),
        off_n_a_per_m=(9.97866e-05, 0.0001844553, 0.0003287707, 0.0005668658, 0.0009481816, 0.0015425, 0.002446, 0.0037885, 0.0057416, 0.0085281, 0.0124327),
        off_p_a_per_m=(0.0001023333, 0.0002034774, 0.0003890187, 0.0007175912, 0.001281, 0.0022192, 0.0037395, 0.0061428, 0.0098554, 0.0154702, 0.0237959)),
    (10, "LSTP"): _Card(
        vdd_v=0.75, vth_v=0.3905541, gate_length_m=1.4e-08,
        cap_ideal_gate_f_per_m=9.418984e-10, cap_fringe_f_per_m=0.0,
        resistance_multiplier=1.73, gm_current_n_a_per_m=822.0, gm_current_p_a_per_m=190.0,
        fin_height_m=2.1e-08, fin_width_m=9e-09, fin_pitch_m=2.8e-08,
        on_n_a_per_m=(862.0, 824.0, 787.0, 751.0, 717.0, 684.0, 654.0, 624.0, 597.0, 571.0, 546.0),
        on_p_a_per_m=(775.0, 725.0, 678.0, 636.0, 597.0, 561.0, 527.0, 497.0, 469.0, 443.0, 419.0),
        off_n_a_per_m=(9.96973e-05, 0.0001844892, 0.0003291615, 0.0005680731, 0.0009510401, 0.0015484, 0.0024574, 0.003809, 0.0057767, 0.0085862, 0.012525),
        off_p_a_per_m=(0.0001005839, 0.0002002609, 0.0003833239, 0.0007078499, 0.0012649, 0.0021932, 0.0036987, 0.0060804, 0.0097622, 0.015334, 0.0236007)),
    (7, "LSTP"): _Card(
        vdd_v=0.7, vth_v=0.4025252, gate_length_m=1.1e-08,
        cap_ideal_gate_f_per_m=8.49489e-10, cap_fringe_f_per_m=0.0,
        resistance_multiplier=1.73, gm_current_n_a_per_m=822.0, gm_current_p_a_per_m=145.0,
        fin_height_m=1.8e-08, fin_width_m=7e-09, fin_pitch_m=2.2e-08,
        on_n_a_per_m=(822.0, 786.0, 750.0, 716.0, 684.0, 653.0, 624.0, 595.0, 569.0, 545.0, 521.0),
        on_p_a_per_m=(737.0, 689.0, 645.0, 605.0, 567.0, 533.0, 501.0, 473.0, 446.0, 421.0, 398.0),
        off_n_a_per_m=(0.0001, 0.000185, 0.000332, 0.000574, 0.000962, 0.0015695, 0.0024953, 0.0038744, 0.0058858, 0.0087624, 0.0128025),
        off_p_a_per_m=(0.0001009536, 0.0002013937, 0.0003862086, 0.0007144288, 0.0012788, 0.0022207, 0.0037509, 0.006175, 0.0099278, 0.0156146, 0.0240633)),
    (130, "HP"): _Card(
        vdd_v=1.3, vth_v=0.1284855, gate_length_m=1.3e-07,
        cap_ideal_gate_f_per_m=6.058401e-10, cap_fringe_f_per_m=6.119807e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=394.0, gm_current_p_a_per_m=261.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(930.0, 910.0, 890.0, 870.0, 850.0, 830.0, 810.0, 790.0, 770.0, 750.0, 740.0),
        on_p_a_per_m=(430.0, 410.0, 380.0, 360.0, 340.0, 320.0, 300.0, 280.0, 260.0, 250.0, 240.0),
        off_n_a_per_m=(0.1, 0.1199, 0.1422, 0.167, 0.1943, 0.2243, 0.2568, 0.292, 0.3299, 0.3705, 0.4138),
        off_p_a_per_m=(0.1002, 0.1136, 0.1279, 0.1431, 0.1591, 0.1758, 0.1934, 0.2117, 0.2308, 0.2507, 0.2712)),
    (90, "HP"): _Card(
        vdd_v=1.2, vth_v=0.1460217, gate_length_m=9e-08,
        cap_ideal_gate_f_per_m=5.694423e-10, cap_fringe_f_per_m=5.652302e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=495.0, gm_current_p_a_per_m=316.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(1070.0, 1050.0, 1030.0, 1010.0, 990.0, 970.0, 950.0, 930.0, 900.0, 880.0, 860.0),
        on_p_a_per_m=(540.0, 500.0, 470.0, 440.0, 410.0, 390.0, 370.0, 340.0, 320.0, 310.0, 290.0),
        off_n_a_per_m=(0.1008, 0.1208, 0.1434, 0.1686, 0.1966, 0.2274, 0.2611, 0.2977, 0.3373, 0.3798, 0.4254),
        off_p_a_per_m=(0.1, 0.114, 0.1289, 0.1448, 0.1616, 0.1793, 0.1979, 0.2174, 0.2379, 0.2591, 0.2813)),
    (65, "HP"): _Card(
        vdd_v=1.1, vth_v=0.1663941, gate_length_m=6.5e-08,
        cap_ideal_gate_f_per_m=4.868295e-10, cap_fringe_f_per_m=5.270361e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=572.0, gm_current_p_a_per_m=399.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(1120.0, 1100.0, 1080.0, 1060.0, 1040.0, 1020.0, 1000.0, 980.0, 950.0, 930.0, 910.0),
        on_p_a_per_m=(700.0, 660.0, 620.0, 580.0, 550.0, 520.0, 490.0, 460.0, 440.0, 410.0, 390.0),
        off_n_a_per_m=(0.1, 0.1197, 0.1419, 0.1668, 0.1944, 0.2248, 0.2581, 0.2944, 0.3336, 0.3759, 0.4212),
        off_p_a_per_m=(0.1001, 0.1152, 0.1315, 0.149, 0.1676, 0.1874, 0.2084, 0.2305, 0.2537, 0.2781, 0.3036)),
    (45, "HP"): _Card(
        vdd_v=1.0, vth_v=0.1710969, gate_length_m=4.5e-08,
        cap_ideal_gate_f_per_m=4.091305e-10, cap_fringe_f_per_m=4.957928e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=737.0, gm_current_p_a_per_m=630.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(1270.0, 1240.0, 1220.0, 1190.0, 1160.0, 1130.0, 1110.0, 1080.0, 1050.0, 1020.0, 1000.0),
        on_p_a_per_m=(1080.0, 1040.0, 1000.0, 960.0, 920.0, 880.0, 850.0, 810.0, 780.0, 750.0, 720.0),
        off_n_a_per_m=(0.1, 0.1207, 0.1441, 0.1705, 0.1998, 0.2323, 0.268, 0.3071, 0.3495, 0.3954, 0.4448),
        off_p_a_per_m=(0.1002, 0.1187, 0.1393, 0.162, 0.1868, 0.2139, 0.2433, 0.2749, 0.3089, 0.3452, 0.3838)),
    (32, "HP"): _Card(
        vdd_v=0.9, vth_v=0.1944951, gate_length_m=3.4e-08,
        cap_ideal_gate_f_per_m=3.767721e-10, cap_fringe_f_per_m=4.713762e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=929.0, gm_current_p_a_per_m=673.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(1410.0, 1380.0, 1350.0, 1310.0, 1280.0, 1250.0, 1210.0, 1180.0, 1150.0, 1120.0, 1080.0),
        on_p_a_per_m=(1220.0, 1170.0, 1120.0, 1070.0, 1020.0, 980.0, 940.0, 890.0, 860.0, 820.0, 780.0),
        off_n_a_per_m=(0.1003, 0.1204, 0.1431, 0.1686, 0.197, 0.2284, 0.2629, 0.3006, 0.3417, 0.3861, 0.4339),
        off_p_a_per_m=(0.1001, 0.119, 0.14, 0.1633, 0.1888, 0.2167, 0.247, 0.2797, 0.3149, 0.3526, 0.3928)),
    (22, "HP"): _Card(
        vdd_v=0.85, vth_v=0.2089006, gate_length_m=2e-08,
        cap_ideal_gate_f_per_m=3.287e-10, cap_fringe_f_per_m=4.532e-10,
        resistance_multiplier=1.54, gm_current_n_a_per_m=1080.0, gm_current_p_a_per_m=698.0,
        fin_height_m=0.0, fin_width_m=0.0, fin_pitch_m=0.0,
        on_n_a_per_m=(1500.0, 1470.0, 1430.0, 1390.0, 1350.0, 1310.0, 1280.0, 1240.0, 1200.0, 1170.0, 1130.0),
        on_p_a_per_m=(1320.0, 1250.0, 1190.0, 1130.0, 1070.0, 1020.0, 970.0, 920.0, 880.0, 840.0, 800.0),
        off_n_a_per_m=(0.1002, 0.1204, 0.1435, 0.1695, 0.1987, 0.2312, 0.267, 0.3063, 0.3493, 0.396, 0.4466),
        off_p_a_per_m=(0.1002, 0.1194, 0.1408, 0.1646, 0.1909, 0.2195, 0.2507, 0.2845, 0.3209, 0.3598, 0.4015)),
    (14, "HP"): _Card(
        vdd_v=0.8, vth_v=0.1729868, gate_length_m=1.8e-08,
        cap_ideal_gate_f_per_m=1.2573e-09, cap_fringe_f_per_m=0.0,
        resistance_multiplier=1.51, gm_current_n_a_per_m=1330.0, gm_current_p_a_per_m=783.0,
        fin_height_m=2.3e-08, fin_width_m=1e-08, fin_pitch_m=3.2e-08,
        on_n_a_per_m=(1686.0, 1652.0, 1607.0, 1562.0, 1517.0, 1472.0, 1439.0, 1394.0, 1349.0, 1315.0, 1270.0),
        on_p_a_per_m=(1550.0, 1468.0, 1397.0, 1327.0, 1256.0, 1198.0, 1139.0, 1080.0, 1033.6, 986.0, 939.0),
        off_n_a_per_m=(0.1009152, 0.1500786, 0.2181063, 0.310359, 0.4331757, 0.5939313, 0.8010747, 1.0641, 1.3938, 1.8016, 2.30031),
        off_p_a_per_m=(0.0986503, 0.1575545, 0.2451751, 0.3725374, 0.5537661, 0.8065971, 1.1529, 1.619, 2.2361, 3.0405, 4.0733)),
    (10, "HP"): _Card(
        vdd_v=0.75, vth_v=0.1828605, gate_length_m=1.4e-08,
        cap_ideal_gate_f_per_m=1.1418e-09, cap_fringe_f_per_m=0.0,
        resistance_multiplier=1.49, gm_current_n_a_per_m=1560.0, gm_current_p_a_per_m=802.0,
        fin_height_m=2.1e-08, fin_width_m=9e-09, fin_pitch_m=2.8e-08,
        on_n_a_per_m=(1769.0, 1734.0, 1686.0, 1639.0, 1592.0, 1545.0, 1510.0, 1462.0, 1415.0, 1380.0, 1333.0),
        on_p_a_per_m=(1626.0, 1540.0, 1466.0, 1392.0, 1318.0, 1256.0, 1195.0, 1133.0, 1084.0, 1035.0, 985.0),
        off_n_a_per_m=(0.1001203, 0.1486272, 0.2156467, 0.3064157, 0.4271264, 0.5849857, 0.7882578, 1.0463, 1.3695, 1.7694, 2.2584),
        off_p_a_per_m=(0.0016268, 0.1578505, 0.2452725, 0.3722051, 0.5526667, 0.8042786, 1.1488, 1.6125, 2.2268, 3.0281, 4.0584)),
    (7, "HP"): _Card(
        vdd_v=0.7, vth_v=0.1922339, gate_length_m=1.1e-08,
        cap_ideal_gate_f_per_m=1.0487e-09, cap_fringe_f_per_m=0.0,
        resistance_multiplier=1.45, gm_current_n_a_per_m=1910.0, gm_current_p_a_per_m=802.0,
        fin_height_m=1.8e-08, fin_width_m=7e-09, fin_pitch_m=2.2e-08,
        on_n_a_per_m=(1912.0, 1874.0, 1823.0, 1772.0, 1721.0, 1670.0, 1632.0, 1581.0, 1530.0, 1491.0, 1440.0),
        on_p_a_per_m=(1685.0, 1596.0, 1519.0, 1442.0, 1366.0, 1302.0, 1238.0, 1174.0, 1123.0, 1072.0, 1021.0),
        off_n_a_per_m=(0.1002258, 0.1490252, 0.2165654, 0.3081967, 0.4302635, 0.5901731, 0.7964489, 1.0588, 1.388, 1.796, 2.2961),
        off_p_a_per_m=(0.0979484, 0.1563424, 0.2431919, 0.3694499, 0.5491886, 0.8001479, 1.1443, 1.6083, 2.2242, 3.0295, 4.0674)),}
