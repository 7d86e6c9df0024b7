"""Search keys and full-text rows written again for text in traditional characters.

Release 0014 and older kept a traditional name's key as pinyin initials only and indexed the text as typed, so a
simplified search (建设路) did not find 建設路小區. Derived columns only (core/listing_index.py
`rewrite_traditional_keys`): no record's version changes and nothing new is sent in a sync package.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from oldcomm_desktop.core import listing_index

    listing_index.rewrite_traditional_keys(op.get_bind())


def downgrade() -> None:
    pass  # the keys stay: they still find everything the old ones did
