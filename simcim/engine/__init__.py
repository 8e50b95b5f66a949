"""The SimPy engine: resources from the chip graph, a dispatcher that releases tasks as their inputs exist."""
