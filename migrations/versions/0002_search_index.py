"""search index

The documents table, and the engine's own full-text index over it: an FTS5 table kept in
step by triggers on SQLite, a GIN index on a weighted tsvector on PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, summary_terms, body_terms,
        content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, title_terms, summary_terms, body_terms)
        VALUES (new.id, new.title_terms, new.summary_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, summary_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.summary_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, summary_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.summary_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, summary_terms, body_terms)
        VALUES (new.id, new.title_terms, new.summary_terms, new.body_terms);
    END""",
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
]

POSTGRESQL = [
    """CREATE INDEX ix_search_document_tsv ON search_document USING GIN ((
        setweight(to_tsvector('simple', title_terms), 'A') ||
        setweight(to_tsvector('simple', summary_terms), 'B') ||
        setweight(to_tsvector('simple', body_terms), 'C')
    ))""",
]


def upgrade():
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('exhibitor_id', sa.Integer(), nullable=False),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('summary_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibition.id'], name=op.f('fk_search_document_exhibition_id_exhibition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exhibitor_id'], ['exhibitor.id'], name=op.f('fk_search_document_exhibitor_id_exhibitor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_document_kind'))
    )
    op.create_index('ix_search_document_exhibition_id', 'search_document', ['exhibition_id'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == 'sqlite' else POSTGRESQL if dialect == 'postgresql' else []:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_vocab")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index('ix_search_document_exhibition_id', table_name='search_document')
    op.drop_table('search_document')
