"""migrations: the moves of instances between nodes (resize, cold migration)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'migrations',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('migration_type', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('source_compute', sa.String(length=255), nullable=True),
        sa.Column('source_node', sa.String(length=255), nullable=True),
        sa.Column('dest_compute', sa.String(length=255), nullable=True),
        sa.Column('dest_node', sa.String(length=255), nullable=True),
        sa.Column('dest_host', sa.String(length=255), nullable=True),
        sa.Column('old_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('new_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('old_flavor', sa.JSON(), nullable=False),
        sa.Column('new_flavor', sa.JSON(), nullable=False),
        sa.Column('old_vm_state', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('held_node', sa.String(length=255), nullable=True),
        sa.Column('held_vcpus', sa.Integer(), nullable=False),
        sa.Column('held_memory_mb', sa.Integer(), nullable=False),
        sa.Column('held_disk_gb', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.create_index('migrations_instance_uuid_status_idx',
                              ['instance_uuid', 'status'], unique=False)
        batch_op.create_index('migrations_held_node_idx', ['held_node'], unique=False)
        batch_op.create_index('migrations_updated_at_idx', ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.drop_index('migrations_updated_at_idx')
        batch_op.drop_index('migrations_held_node_idx')
        batch_op.drop_index('migrations_instance_uuid_status_idx')
    op.drop_table('migrations')
