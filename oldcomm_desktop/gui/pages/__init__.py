"""The main window's pages, one module each, in the order of the navigation."""
