"""instances keep the properties of the image they run and the scheduler hints they were
created with (shown from 2.98 and 2.100; listings read them without the request spec)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_properties', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('scheduler_hints', sa.JSON(), nullable=True))
    instances = sa.table('instances', sa.column('id', sa.Integer),
                         sa.column('request_spec', sa.JSON),
                         sa.column('image_properties', sa.JSON),
                         sa.column('scheduler_hints', sa.JSON))
    bind = op.get_bind()
    for row_id, spec in bind.execute(sa.select(instances.c.id, instances.c.request_spec)):
        if isinstance(spec, str):
            spec = json.loads(spec)
        spec = spec or {}
        bind.execute(sa.update(instances).where(instances.c.id == row_id).values(
            image_properties=(spec.get('image') or {}).get('properties') or {},
            scheduler_hints=spec.get('scheduler_hints') or {}))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('scheduler_hints')
        batch_op.drop_column('image_properties')
