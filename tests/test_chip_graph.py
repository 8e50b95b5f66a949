"""The chip graph's shortest path: fewest hops, and on a mesh (many equal paths) the same one
networkx's breadth-first search picks, so the links a transfer holds did not change when networkx
left the simulator."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcim.hardware.graph import ChipGraph


def _mesh(n: int, side: int, lib=None):
    g = ChipGraph() if lib is None else lib.Graph()
    for i in range(n):
        g.add_node(f"t{i}")
        if (i % side) + 1 < side and i + 1 < n:
            g.add_edge(f"t{i}", f"t{i + 1}")
        if i + side < n:
            g.add_edge(f"t{i}", f"t{i + side}")
    g.add_edge("t0", "gbuf")
    return g


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(1, 7), st.data())
def test_mesh_paths_match_networkx(n: int, side: int, data) -> None:
    nx = pytest.importorskip("networkx")
    ours, theirs = _mesh(n, side), _mesh(n, side, nx)
    src = f"t{data.draw(st.integers(0, n - 1))}"
    path = ours.shortest_path(src, "gbuf")
    assert path == nx.shortest_path(theirs, src, "gbuf")
    assert all(b in ours.neighbors(a) for a, b in zip(path, path[1:]))


def test_shortest_path_by_hand() -> None:
    g = ChipGraph()
    for a, b in [("a", "b"), ("b", "c"), ("a", "d"), ("d", "e"), ("e", "c"), ("c", "z")]:
        g.add_edge(a, b, width_bits=8)
    assert g.shortest_path("a", "z") == ["a", "b", "c", "z"]
    assert g.shortest_path("z", "z") == ["z"]
    assert g.edges["c", "b"]["width_bits"] == 8
    g.add_node("lonely")
    with pytest.raises(ValueError):
        g.shortest_path("a", "lonely")
