"""Importing: the ledgers clerks already keep (Excel), and the one bulk write path every import uses.

- `bulk`        many rows per table → validated, derived, written in one transaction, audited as one event
- `bulk_tables` what `bulk` knows about each table: its field spec, the services' rules, the derived columns
- `workbook`    opening a file safely and reading its cells (calamine; openpyxl for merged ranges)
- `header`      finding the header rows (one or two, merged) and the units they name
- `columns`     column synonyms → fields, the proposed mapping, mappings remembered per layout
- `values`      numbers, units, dates, years and status words as real ledgers write them
- `rows`        what each row is: a community, a subtotal, a total, a batch, a summary sheet
- `reconcile`   the file's own subtotals and totals against the rows it lists
- `ledger`      the dry run (plan) and the import itself
Nothing here imports Qt; heavy readers are imported when a file is read.
"""
