"""Screens of the terminal UI, one module per screen; dialogs in `modals/`.

The folder sits at the top of the repository (the design fixes the layout) and is the package
`mlpl_tui.screens`: in a checkout through the link `mlpl_tui/screens`, in the wheel copied there
at build time (pyproject.toml). Imported as a top-level `screens`, every class would exist twice
and the app's isinstance checks would fail, so that name is refused.
"""

if __name__ != "mlpl_tui.screens":
    raise ImportError(f"import the screens as mlpl_tui.screens, not as {__name__}")
