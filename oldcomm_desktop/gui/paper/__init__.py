"""The paper capability's Qt face: print preview, printing, saving and opening the core's PDFs.

`preview` shows a PDF's pages (rendered with pypdfium2) and prints them through QPrinter; `actions`
holds the menus and buttons the pages add (a form of the selected record, blank forms, a batch);
`parties` edits a project's five responsible parties.
"""
