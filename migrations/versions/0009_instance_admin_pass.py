"""instances keep the administrator password set by changePassword, for the metadata
service to hand to the guest

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_pass', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('admin_pass')
