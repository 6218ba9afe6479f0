"""Domain model: plain Python, no I/O, no Qt."""
