"""mlpl-tui: run ML exploration projects with the ML Process Lifecycle from the terminal."""

__version__ = "0.1.0"
