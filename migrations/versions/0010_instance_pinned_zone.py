"""instances show the availability zone they are pinned to (the one asked for at create
or unshelve), which their request spec holds

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned_availability_zone', sa.String(length=255),
                                      nullable=True))
    instances = sa.table('instances', sa.column('id', sa.Integer),
                         sa.column('request_spec', sa.JSON),
                         sa.column('pinned_availability_zone', sa.String))
    bind = op.get_bind()
    for row_id, spec in bind.execute(sa.select(instances.c.id, instances.c.request_spec)):
        if isinstance(spec, str):
            spec = json.loads(spec)
        zone = (spec or {}).get('availability_zone')
        if zone:
            bind.execute(sa.update(instances).where(instances.c.id == row_id)
                         .values(pinned_availability_zone=zone))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('pinned_availability_zone')
