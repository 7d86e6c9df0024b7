"""Python classes compiled from the Qt Designer files in the top-level `ui/` folder (one per `.ui`).

Edit the `.ui` file in Designer, then run `python -m oldcomm_desktop.gui.forms.build`; the generated
`ui_<name>.py` files are committed, and a test fails when one is older than its `.ui` file.
The behaviour lives in a hand-written class in `oldcomm_desktop/gui/` that uses the generated form.
"""
