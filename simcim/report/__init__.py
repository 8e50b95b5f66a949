"""Reports: run cases side by side (study), draw them (figures), write HTML / Markdown / JSON (write)."""
