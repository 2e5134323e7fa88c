"""accounts: one-time set-password links for imported users

Revision ID: 0008_set_password_tokens
Revises: 0007_sessions
Create Date: 2026-12-06 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_set_password_tokens'
down_revision = '0007_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('set_password_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_set_password_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_set_password_token_token_hash'))
    )
    with op.batch_alter_table('set_password_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('set_password_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_token_user_id'))

    op.drop_table('set_password_token')
