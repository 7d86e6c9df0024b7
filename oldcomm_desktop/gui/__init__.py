"""Qt widgets and models; only this package (and tests/gui) may import PySide6, so core stays headless."""
