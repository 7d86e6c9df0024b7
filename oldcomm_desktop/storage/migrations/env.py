"""Alembic environment: always run on the connection the program hands over (no alembic.ini, no URL)."""

from alembic import context

from oldcomm_desktop.core.model import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table safely
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
