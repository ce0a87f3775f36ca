"""Thin click commands, one module each; imported lazily by pimxl.cli."""
