"""Studies: a study YAML expanded into sweep points (plan), its numbers read back (results)."""
