"""networks, fixed_ips and virtual_interfaces (the network domain), and the instances'
network_info, the copy of their NICs that views read

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'networks',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('label', sa.String(length=255), nullable=False),
        *[sa.Column(name, sa.String(length=length), nullable=True) for name, length in (
            ('cidr', 43), ('cidr_v6', 43), ('netmask', 39), ('netmask_v6', 39),
            ('gateway', 39), ('gateway_v6', 39), ('broadcast', 39), ('dhcp_start', 39),
            ('dns1', 39), ('dns2', 39))],
        sa.Column('bridge', sa.String(length=15), nullable=False),
        sa.Column('bridge_interface', sa.String(length=15), nullable=True),
        sa.Column('vlan', sa.Integer(), nullable=True),
        sa.Column('vni', sa.Integer(), nullable=True),
        sa.Column('mtu', sa.Integer(), nullable=True),
        sa.Column('multi_host', sa.Boolean(), nullable=False),
        sa.Column('enable_dhcp', sa.Boolean(), nullable=False),
        sa.Column('manager', sa.String(length=32), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=True),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('priority', sa.Integer(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index('networks_project_id_deleted_idx', ['project_id', 'deleted'],
                              unique=False)
    op.create_table(
        'virtual_interfaces',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('address', sa.String(length=17), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
        sa.UniqueConstraint('address'),
    )
    with op.batch_alter_table('virtual_interfaces', schema=None) as batch_op:
        batch_op.create_index('virtual_interfaces_instance_uuid_idx', ['instance_uuid'],
                              unique=False)
    op.create_table(
        'fixed_ips',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('address', sa.String(length=39), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=True),
        sa.Column('virtual_interface_id', sa.Integer(), nullable=True),
        sa.Column('allocated', sa.Boolean(), nullable=False),
        sa.Column('reserved', sa.Boolean(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id']),
        sa.ForeignKeyConstraint(['virtual_interface_id'], ['virtual_interfaces.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('network_id', 'address',
                            name='uniq_fixed_ips0network_id0address'),
    )
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.create_index('fixed_ips_instance_uuid_idx', ['instance_uuid'], unique=False)
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_info', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('network_info')
    for table, index in (('fixed_ips', 'fixed_ips_instance_uuid_idx'),
                         ('virtual_interfaces', 'virtual_interfaces_instance_uuid_idx'),
                         ('networks', 'networks_project_id_deleted_idx')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
        op.drop_table(table)
