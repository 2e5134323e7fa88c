"""writing: drafts, submitted versions, reviews and inline comments

Revision ID: 0012_writing
Revises: 0011_notify
Create Date: 2026-12-06 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_writing'
down_revision = '0011_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('writing_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'task_id', name='uq_writing_draft_user_task')
    )
    op.create_table('writing_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('checklist_found', sa.Integer(), nullable=False),
    sa.Column('checklist_total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'task_id', 'version', name='uq_writing_submission_version')
    )
    with op.batch_alter_table('writing_submission', schema=None) as batch_op:
        batch_op.create_index('ix_writing_submission_submitted', ['submitted_at'], unique=False)

    op.create_table('writing_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('max_score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['writing_submission.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'reviewer_id', name='uq_writing_review_reviewer')
    )
    with op.batch_alter_table('writing_review', schema=None) as batch_op:
        batch_op.create_index('ix_writing_review_reviewer', ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_writing_review_completed_at'), ['completed_at'], unique=False)

    op.create_table('writing_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('paragraph', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['writing_review.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('writing_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_comment_review_id'), ['review_id'], unique=False)


def downgrade():
    with op.batch_alter_table('writing_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_comment_review_id'))
    op.drop_table('writing_comment')
    with op.batch_alter_table('writing_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_review_completed_at'))
        batch_op.drop_index('ix_writing_review_reviewer')
    op.drop_table('writing_review')
    with op.batch_alter_table('writing_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_writing_submission_submitted')
    op.drop_table('writing_submission')
    op.drop_table('writing_draft')
