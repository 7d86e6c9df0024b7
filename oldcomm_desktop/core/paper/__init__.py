"""Paper: the forms and notices a clerk prints, as PDF (reportlab, A4, a Chinese font embedded as a subset).

`documents` names the forms and renders one (filled from a record, or blank for use on site) or a batch;
`frame` holds the page every form shares; `inspection_forms` and `community_forms` lay out each form;
`sources` gathers their facts through the core's existing queries; `fonts` finds the font.
reportlab is imported only when something is printed (its import costs ~0.2 s at start-up).
"""
