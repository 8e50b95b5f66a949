"""Hardware: component graph, analytic cost and area models."""
