import sys
from pathlib import Path

# Let tests import their shared helpers (tests/helpers_*.py) by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))
