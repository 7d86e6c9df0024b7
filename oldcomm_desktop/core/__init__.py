"""The Qt-free domain: everything a clerk can do, as plain functions over a database session.

The GUI (`oldcomm_desktop.gui`) and the command line (`oldcomm_desktop.cli`) are two faces over it.
"""
