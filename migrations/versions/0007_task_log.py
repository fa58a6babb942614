"""task log: one row per host and audit period of the compute agents' instance usage audit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('task_name', sa.String(length=255), nullable=False),
        sa.Column('state', sa.String(length=255), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('period_beginning', sa.DateTime(), nullable=False),
        sa.Column('period_ending', sa.DateTime(), nullable=False),
        sa.Column('message', sa.String(length=255), nullable=False),
        sa.Column('task_items', sa.Integer(), nullable=False),
        sa.Column('errors', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('task_name', 'host', 'period_beginning', 'period_ending',
                            name='uniq_task_log0task_name0host0period_beginning0period_ending'),
    )
    with op.batch_alter_table('task_log', schema=None) as batch_op:
        batch_op.create_index('task_log_task_name_period_idx',
                              ['task_name', 'period_beginning', 'period_ending'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_log', schema=None) as batch_op:
        batch_op.drop_index('task_log_task_name_period_idx')
    op.drop_table('task_log')
