"""soft-deleted exhibitors; audit events know their booth and exhibitor

``exhibitor.deleted_at`` marks an exhibitor deleted (kept, shown nowhere, undoable);
``audit_event.booth_id`` / ``exhibitor_id`` let organisers filter the log. Existing events
are filled in from their entity and recorded states.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _concerned(entity, entity_id, before, after):
    """The same rule as exhibit.audit.concerned, frozen here as it was at this revision."""
    booth = _int(entity_id) if entity == 'booth' else None
    exhibitor = _int(entity_id) if entity == 'exhibitor' else None
    for state in (after, before):
        if not isinstance(state, dict):
            continue
        if booth is None:
            booth = _int(state.get('booth_id'))
        if exhibitor is None:
            exhibitor = _int(state.get('exhibitor_id'))
        if exhibitor is None and entity == 'user':
            exhibitor = _int(state.get('exhibitor'))
    return booth, exhibitor


def upgrade():
    op.add_column('exhibitor', sa.Column('deleted_at', sa.DateTime(), nullable=True))
    op.add_column('audit_event', sa.Column('booth_id', sa.Integer(), nullable=True))
    op.add_column('audit_event', sa.Column('exhibitor_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_event_booth_id', 'audit_event', ['booth_id'], unique=False)
    op.create_index('ix_audit_event_exhibitor_id', 'audit_event', ['exhibitor_id'], unique=False)
    op.create_index('ix_audit_event_user_id', 'audit_event', ['user_id'], unique=False)

    events = sa.table(
        'audit_event',
        sa.column('id', sa.Integer()),
        sa.column('entity', sa.String()),
        sa.column('entity_id', sa.String()),
        sa.column('before', sa.JSON()),
        sa.column('after', sa.JSON()),
        sa.column('booth_id', sa.Integer()),
        sa.column('exhibitor_id', sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.entity, events.c.entity_id, events.c.before,
                  events.c.after)
    ).all()
    updates = []
    for row in rows:
        booth, exhibitor = _concerned(row.entity, row.entity_id, row.before, row.after)
        if booth is not None or exhibitor is not None:
            updates.append({'event_id': row.id, 'booth': booth, 'exhibitor': exhibitor})
    if updates:
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam('event_id'))
            .values(booth_id=sa.bindparam('booth'), exhibitor_id=sa.bindparam('exhibitor')),
            updates,
        )


def downgrade():
    op.drop_index('ix_audit_event_user_id', table_name='audit_event')
    op.drop_index('ix_audit_event_exhibitor_id', table_name='audit_event')
    op.drop_index('ix_audit_event_booth_id', table_name='audit_event')
    # SQLite (3.35+) drops a column in place; a batch copy of «exhibitor» would trip over
    # the foreign keys that point at it.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, column in (('audit_event', 'exhibitor_id'), ('audit_event', 'booth_id'),
                          ('exhibitor', 'deleted_at')):
        if sqlite:
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
