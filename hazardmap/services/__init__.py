"""Use cases. The window, the CLI and the tests all call these same functions."""
