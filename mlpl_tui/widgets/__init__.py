"""Reusable widgets of the terminal UI; they draw what screens give them and post messages."""
