"""simcim: a discrete-event simulator of compute-in-memory chips that train neural networks."""

__version__ = "0.1.0"
