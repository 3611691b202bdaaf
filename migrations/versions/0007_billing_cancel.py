"""billing: annulled documents and the refund/credit decision on their money; who acted
(the command line) in the audit log

Revision ID: 0007_billing_cancel
Revises: 0006_billing
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_billing_cancel'
down_revision = '0006_billing'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billing_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('settlement', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('settlement_note', sa.String(length=300), nullable=True))
        batch_op.create_check_constraint(
            'settlement_known', "settlement IN ('pending', 'refund', 'credit')"
        )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('actor')
    with op.batch_alter_table('billing_document', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_billing_document_settlement_known'), type_='check')
        batch_op.drop_column('settlement_note')
        batch_op.drop_column('settlement')
        batch_op.drop_column('cancelled_at')
