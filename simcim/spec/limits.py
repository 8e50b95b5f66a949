"""Upper bounds on the size fields of a spec, each with the reason a user reads when one is passed.

The bounds are practical (what the simulator can hold and finish) or physical (what a chip can be);
each is far beyond every bundled chip and workload, so a value past one is a typo or a unit slip.
A bound's reason is appended to pydantic's "less than or equal to" message by the loader.
"""

from __future__ import annotations

MAX_TILES = 4096  # a 64 x 64 grid; the bundled chips use 6..410 tiles on the bundled workloads
MAX_INPUT_SIDE = 1 << 14  # per input dimension
MAX_INPUT_ELEMS = 1 << 24  # per image
MAX_LAYERS = 1024
MAX_BATCH = 1 << 16
MAX_TASKS = 100_000  # tasks in one simulated iteration (~10^4 per second: seconds, not minutes)
MAX_NAME = 200  # characters of a name (it becomes titles and file names)
MAX_SEED = (1 << 32) - 1
MAX_DRAM_CHANNELS = 128

# Leaf key -> why its bound is what it is (shown after pydantic's message).
REASONS: dict[str, str] = {
    "tiles": f"a chip of more than {MAX_TILES} tiles (a 64 x 64 grid) is beyond any CIM chip built, "
             "and the simulator holds every tile's state in memory",
    "input_shape": f"at most {MAX_INPUT_SIDE} per dimension and {MAX_INPUT_ELEMS:,} values per image "
                   "(ImageNet's are 3 x 224 x 224 = 150,528)",
    "layers": f"at most {MAX_LAYERS} layers (NeuroSim-style networks have 5 to 20, an imported ResNet-50 about 120)",
    "batch_size": f"at most {MAX_BATCH:,} images per batch (the largest batches in the literature, LAMB's, "
                  "are 65,536); the simulator makes tasks for every image",
    "out_features": "at most 1,048,576 outputs per layer",
    "out_channels": "at most 65,536 channels per layer",
    "iterations_per_epoch": "at most 2^30 iterations per epoch",
    "epochs": "at most 2^20 epochs",
    "name": f"at most {MAX_NAME} characters (names become titles and file names)",
    "kind": f"at most {MAX_NAME} characters",
    "seed": f"a seed is a 32-bit unsigned integer (numpy's and torch's generators take it), 0..{MAX_SEED}",
    "channels": f"at most {MAX_DRAM_CHANNELS} DRAM channels (an HBM3 stack has 16, or 32 pseudo-channels); an "
                "interleaved transfer holds every channel, so the simulation slows with their number",
    "rows": "subarrays of at most 4096 rows (NeuroSim's are 64 to 512)",
    "cols": "subarrays of at most 4096 columns (NeuroSim's are 64 to 512)",
    "subarrays": "at most 4096 subarrays per PE",
    "pes": "at most 4096 PEs per tile",
}

BOUND_ERRORS = {"less_than_equal", "less_than", "too_long", "string_too_long"}


def reason(key: str, error_type: str) -> str:
    """The reason for the bound that ``key`` (its last part) broke, or ''."""
    return REASONS.get(key, "") if error_type in BOUND_ERRORS else ""
