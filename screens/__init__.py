"""Screens of the terminal UI, one module per screen."""
