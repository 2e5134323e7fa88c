"""role-play: plays and their choices, workshop sessions, participants, rubric scores

Revision ID: 0004_roleplay
Revises: 0003_quiz
Create Date: 2026-11-23 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_roleplay'
down_revision = '0003_quiz'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('play',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=100), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('ending_id', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_play_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_play'))
    )
    with op.batch_alter_table('play', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_play_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index('ix_play_user_scenario', ['user_id', 'scenario_id'], unique=False)

    op.create_table('play_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('play_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('choice_index', sa.Integer(), nullable=False),
    sa.Column('technique', sa.String(length=32), nullable=False),
    sa.Column('quality', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['play_id'], ['play.id'], name=op.f('fk_play_choice_play_id_play'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_play_choice')),
    sa.UniqueConstraint('play_id', 'step', name='uq_play_choice_play_step')
    )

    op.create_table('workshop_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('debrief_revealed', sa.Boolean(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['user.id'], name=op.f('fk_workshop_session_facilitator_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_session')),
    sa.UniqueConstraint('code', name=op.f('uq_workshop_session_code'))
    )
    with op.batch_alter_table('workshop_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_session_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('workshop_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group_number', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_session.id'], name=op.f('fk_workshop_participant_session_id_workshop_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_workshop_participant_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_participant')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_workshop_participant_session_user')
    )
    with op.batch_alter_table('workshop_participant', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_participant_user', ['user_id'], unique=False)

    op.create_table('rubric_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('group_number', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Double(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['observer_id'], ['user.id'], name=op.f('fk_rubric_score_observer_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['salesperson_id'], ['user.id'], name=op.f('fk_rubric_score_salesperson_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_session.id'], name=op.f('fk_rubric_score_session_id_workshop_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_score')),
    sa.UniqueConstraint('session_id', 'round', 'group_number', name='uq_rubric_score_session_round_group')
    )
    with op.batch_alter_table('rubric_score', schema=None) as batch_op:
        batch_op.create_index('ix_rubric_score_salesperson', ['salesperson_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rubric_score', schema=None) as batch_op:
        batch_op.drop_index('ix_rubric_score_salesperson')
    op.drop_table('rubric_score')
    with op.batch_alter_table('workshop_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_workshop_participant_user')
    op.drop_table('workshop_participant')
    with op.batch_alter_table('workshop_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_session_facilitator_id'))
    op.drop_table('workshop_session')
    op.drop_table('play_choice')
    with op.batch_alter_table('play', schema=None) as batch_op:
        batch_op.drop_index('ix_play_user_scenario')
        batch_op.drop_index(batch_op.f('ix_play_finished_at'))
    op.drop_table('play')
