"""search that understands meaning: tags ranked on their own, the organisers' thesaurus
lines, the log of queries that found nothing, neighbours by word meaning

``search_document.tags_terms`` starts empty for existing documents; ``flask init-db`` (or
``flask search-reindex``) rewrites them. The log holds a query's text, a day and a count:
nothing about who asked.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('search_document',
                  sa.Column('tags_terms', sa.Text(), server_default='', nullable=False))
    op.create_table('search_thesaurus_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_search_thesaurus_line_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_thesaurus_line'))
    )
    op.create_table('search_miss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibition.id'], name=op.f('fk_search_miss_exhibition_id_exhibition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_miss')),
    sa.UniqueConstraint('exhibition_id', 'query', 'day', name=op.f('uq_search_miss_exhibition_id'))
    )
    op.create_table('search_neighbour',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('neighbour', sa.String(length=40), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_neighbour')),
    sa.UniqueConstraint('term', 'neighbour', name=op.f('uq_search_neighbour_term'))
    )


def downgrade():
    op.drop_table('search_neighbour')
    op.drop_table('search_miss')
    op.drop_table('search_thesaurus_line')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE search_document DROP COLUMN tags_terms')
    else:
        op.drop_column('search_document', 'tags_terms')
