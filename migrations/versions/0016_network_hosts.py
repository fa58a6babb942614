"""network_hosts: each network agent's host and the VXLAN tunnel endpoint (VTEP) the
other hosts flood its networks' broadcasts to

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'network_hosts',
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('vtep', sa.String(length=39), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('host'),
    )


def downgrade() -> None:
    op.drop_table('network_hosts')
