"""Sync by file: township ⇄ county packages (.ocpkg) that carry records, deletions and photos on a USB stick.

- keys.py      this installation's Ed25519 key pair and the peers' trusted public keys
- tables.py    which tables travel, their natural keys, and how a row becomes JSON and back
- changes.py   the shadow of exchanged records: local edits found, per-field version vectors, what to send
- merge.py     the per-field merge of an incoming record (version vectors; conflicts recorded, never overwritten)
- package.py   writing (atomic, verified) and reading (refusing every bad input) the zip file
- writes.py    the bulk write step, one named function per table
- exporter.py  building a package for a peer
- importer.py  verification, dry run, one-transaction apply, receipts
- history.py   the import history and rollback from before-images
- conflicts.py listing and resolving conflicts (keep ours / take theirs / edit)
- status.py    the county's view of its townships: last package, key, conflicts, what is missing
"""
