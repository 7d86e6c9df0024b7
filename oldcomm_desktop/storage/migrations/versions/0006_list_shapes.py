"""The data shapes the big lists need: pinyin sort keys, a full-text index, communities by category.

On 200,000 communities and 2 million items, item search (2.5 s), items sorted by community name (1.9 s) and
communities filtered by category (1.3 s) were as slow in raw SQL (benchmarks/bench_gui.py):

- `name_sort` on communities and projects: the pinyin of the name (core/pinyin_search.sort_key), so lists sort
  Chinese as WPS and Excel do, from a (deleted_at, name_sort, id) index;
- `search_text` (+ an FTS5 index over it on SQLite, kept in step by triggers): community names, addresses and
  initials, item descriptions, cut into character pairs, so a search reads the index, not every row;
- `community_category`: the categories each community has live items of, so the category filter counts from
  an index;
- `community_sort` on items: their community's `name_sort`, copied, with a (deleted_at, community_sort,
  community_id, id) index, so items sorted by community page from one index (a join ordered by the
  community's key read and sorted all two million items).

All are filled here from the records, and kept current by the core (core/listing_index.py).

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

FTS = "search_fts"


def _backfill_sort_keys(table: str) -> None:
    from oldcomm_desktop.core.pinyin_search import sort_key

    conn = op.get_bind()
    t = sa.table(table, sa.column("id", sa.String), sa.column("name", sa.String), sa.column("name_sort", sa.String))
    rows = conn.execute(sa.select(t.c.id, t.c.name)).all()
    cache: dict[str, str] = {}
    values = []
    for row_id, name in rows:
        if name not in cache:
            cache[name] = sort_key(name)
        values.append({"b_id": row_id, "b_sort": cache[name]})
    stmt = t.update().where(t.c.id == sa.bindparam("b_id")).values(name_sort=sa.bindparam("b_sort"))
    for start in range(0, len(values), 10000):
        conn.execute(stmt, values[start : start + 10000])


def upgrade() -> None:
    for table in ("community", "project"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("name_sort", sa.String(length=400), nullable=True))
        _backfill_sort_keys(table)
    op.create_index("ix_community_live_name_sort", "community", ["deleted_at", "name_sort", "id"], unique=False)
    op.create_index("ix_project_name_sort", "project", ["name_sort", "id"], unique=False)
    with op.batch_alter_table("renovation_item") as batch_op:
        batch_op.add_column(sa.Column("community_sort", sa.String(length=400), nullable=True))
    op.create_index(
        "ix_renovation_item_live_community_sort",
        "renovation_item",
        ["deleted_at", "community_sort", "community_id", "id"],
        unique=False,
    )
    op.create_table(
        "search_text",
        sa.Column("docid", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("docid", name=op.f("pk_search_text")),
        sa.UniqueConstraint("record_id", name=op.f("uq_search_text_record_id")),
    )
    op.create_table(
        "community_category",
        sa.Column("category_id", sa.String(length=36), nullable=False),
        sa.Column("community_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_community_category_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_community_category_community_id_community")
        ),
        sa.PrimaryKeyConstraint("category_id", "community_id", name=op.f("pk_community_category")),
    )
    op.create_index(op.f("ix_community_category_community_id"), "community_category", ["community_id"], unique=False)
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(body, content='search_text', content_rowid='docid', "
            "tokenize='unicode61')"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER search_text_ai AFTER INSERT ON search_text BEGIN "
            f"INSERT INTO {FTS}(rowid, body) VALUES (new.docid, new.body); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, body) VALUES ('delete', old.docid, old.body); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER search_text_au AFTER UPDATE ON search_text BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, body) VALUES ('delete', old.docid, old.body); "
            f"INSERT INTO {FTS}(rowid, body) VALUES (new.docid, new.body); END"
        )
    from oldcomm_desktop.core import listing_index

    listing_index.rebuild(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for trigger in ("search_text_ai", "search_text_ad", "search_text_au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_index(op.f("ix_community_category_community_id"), table_name="community_category")
    op.drop_table("community_category")
    op.drop_table("search_text")
    op.drop_index("ix_renovation_item_live_community_sort", table_name="renovation_item")
    with op.batch_alter_table("renovation_item") as batch_op:
        batch_op.drop_column("community_sort")
    op.drop_index("ix_project_name_sort", table_name="project")
    op.drop_index("ix_community_live_name_sort", table_name="community")
    for table in ("community", "project"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("name_sort")
