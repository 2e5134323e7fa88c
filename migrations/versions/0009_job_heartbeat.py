"""policy lab: durable jobs (heartbeat, attempts, error code; an index for the per-user limits)

Revision ID: 0009_job_heartbeat
Revises: 0008_set_password_tokens
Create Date: 2026-12-06 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_job_heartbeat'
down_revision = '0008_set_password_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sim_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_sim_job_status_user', ['status', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sim_job', schema=None) as batch_op:
        batch_op.drop_index('ix_sim_job_status_user')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('error_code')
