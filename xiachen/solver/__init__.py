"""Pure-Python rostering optimizer (CP-SAT); never imports Django."""
