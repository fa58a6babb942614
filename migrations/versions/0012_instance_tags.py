"""instance_tags: one row per tag of an instance, for the tags list filters (the tags
API of 2.26); filled from the instances' tags

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'instance_tags',
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('tag', sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint('instance_uuid', 'tag'),
    )
    with op.batch_alter_table('instance_tags', schema=None) as batch_op:
        batch_op.create_index('instance_tags_tag_idx', ['tag'], unique=False)
    instances = sa.table('instances', sa.column('uuid', sa.String),
                         sa.column('tags', sa.JSON), sa.column('deleted', sa.Integer))
    tags = sa.table('instance_tags', sa.column('instance_uuid', sa.String),
                    sa.column('tag', sa.String))
    bind = op.get_bind()
    rows = []
    for uuid, value in bind.execute(sa.select(instances.c.uuid, instances.c.tags)
                                    .where(instances.c.deleted == 0)):
        if isinstance(value, str):
            value = json.loads(value)
        rows += [{'instance_uuid': uuid, 'tag': t} for t in dict.fromkeys(value or [])]
    if rows:
        bind.execute(sa.insert(tags), rows)


def downgrade() -> None:
    with op.batch_alter_table('instance_tags', schema=None) as batch_op:
        batch_op.drop_index('instance_tags_tag_idx')
    op.drop_table('instance_tags')
