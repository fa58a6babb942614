"""instances say who locked them and why (lock/unlock, 2.73 locked_reason)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_by', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('locked_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('locked_reason')
        batch_op.drop_column('locked_by')
