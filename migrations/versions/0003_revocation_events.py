"""revocation events replace the list of revoked audit ids

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
import datetime

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

EPOCH = datetime.datetime(1970, 1, 1)


def upgrade() -> None:
    events = op.create_table(
        'revocation_events',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('audit_id', sa.String(length=64), nullable=True),
        sa.Column('user_id', sa.String(length=64), nullable=True),
        sa.Column('project_id', sa.String(length=64), nullable=True),
        sa.Column('role_id', sa.String(length=64), nullable=True),
        sa.Column('issued_before', sa.BigInteger(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('revocation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocation_events_expires_at'), ['expires_at'],
                              unique=False)
    revoked = sa.table('revoked_tokens', sa.column('audit_id', sa.String()),
                       sa.column('expires_at', sa.DateTime()))
    rows = op.get_bind().execute(sa.select(revoked.c.audit_id, revoked.c.expires_at)).all()
    # A revoked audit id matches whenever its token was issued: any time before expiry.
    op.bulk_insert(events, [
        {'audit_id': audit_id, 'expires_at': expires_at,
         'issued_before': (expires_at - EPOCH) // datetime.timedelta(microseconds=1)}
        for audit_id, expires_at in rows])
    with op.batch_alter_table('revoked_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_tokens_expires_at'))
    op.drop_table('revoked_tokens')


def downgrade() -> None:
    op.create_table(
        'revoked_tokens',
        sa.Column('audit_id', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('audit_id'),
    )
    with op.batch_alter_table('revoked_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_tokens_expires_at'), ['expires_at'],
                              unique=False)
    with op.batch_alter_table('revocation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revocation_events_expires_at'))
    op.drop_table('revocation_events')
