"""floating_ips: pools of public addresses, allocated to projects and associated with
servers' fixed IPs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'floating_ips',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('address', sa.String(length=39), nullable=False),
        sa.Column('pool', sa.String(length=255), nullable=False),
        sa.Column('interface', sa.String(length=15), nullable=True),
        sa.Column('project_id', sa.String(length=64), nullable=True),
        sa.Column('fixed_ip_id', sa.Integer(), nullable=True),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('auto_assigned', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['fixed_ip_id'], ['fixed_ips.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('address', name='uniq_floating_ips0address'),
    )
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.create_index('floating_ips_project_id_idx', ['project_id'], unique=False)
        batch_op.create_index('floating_ips_pool_idx', ['pool'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.drop_index('floating_ips_pool_idx')
        batch_op.drop_index('floating_ips_project_id_idx')
    op.drop_table('floating_ips')
