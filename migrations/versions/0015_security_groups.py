"""security groups (nova-network's): groups, their ingress rules, the servers in them and
the default rules copied into each project's `default` group

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _times() -> list[sa.Column]:
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'security_groups',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        *_times(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'name', 'deleted',
                            name='uniq_security_groups0project_id0name0deleted'),
    )
    op.create_table(
        'security_group_rules',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('parent_group_id', sa.Integer(), nullable=False),
        sa.Column('protocol', sa.String(length=255), nullable=True),
        sa.Column('from_port', sa.Integer(), nullable=True),
        sa.Column('to_port', sa.Integer(), nullable=True),
        sa.Column('cidr', sa.String(length=43), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        *_times(),
        sa.ForeignKeyConstraint(['parent_group_id'], ['security_groups.id']),
        sa.ForeignKeyConstraint(['group_id'], ['security_groups.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.create_index('security_group_rules_parent_group_id_idx',
                              ['parent_group_id'], unique=False)
        batch_op.create_index('security_group_rules_group_id_idx', ['group_id'],
                              unique=False)
    op.create_table(
        'security_group_instance_association',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('security_group_id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('security_group_id', 'instance_uuid',
                            name='uniq_security_group_instance_association0group0instance'),
    )
    with op.batch_alter_table('security_group_instance_association', schema=None) as b:
        b.create_index('security_group_instance_association_instance_uuid_idx',
                       ['instance_uuid'], unique=False)
    op.create_table(
        'security_group_default_rules',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('protocol', sa.String(length=255), nullable=True),
        sa.Column('from_port', sa.Integer(), nullable=True),
        sa.Column('to_port', sa.Integer(), nullable=True),
        sa.Column('cidr', sa.String(length=43), nullable=True),
        *_times(),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('security_group_default_rules')
    with op.batch_alter_table('security_group_instance_association', schema=None) as b:
        b.drop_index('security_group_instance_association_instance_uuid_idx')
    op.drop_table('security_group_instance_association')
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.drop_index('security_group_rules_group_id_idx')
        batch_op.drop_index('security_group_rules_parent_group_id_idx')
    op.drop_table('security_group_rules')
    op.drop_table('security_groups')
