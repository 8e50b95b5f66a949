"""Subcommands of the `simcim` CLI, one module each."""
