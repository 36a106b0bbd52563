"""Partnership self-assessment.

A round's self-assessment (instrument version, closed at), its respondents (staff by
account, invited partners by the SHA-256 hash of an expiring link's token, with a role
and an optional name or organisation) and their ratings with evidence notes.

Revision ID: f63d6f4c23f4
Revises: 2b23bf91cfce
Create Date: 2026-12-05 08:07:03.285586

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f63d6f4c23f4'
down_revision = '2b23bf91cfce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('self_assessments',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('instrument_key', sa.String(length=32), nullable=False),
    sa.Column('instrument_version', sa.Integer(), nullable=False),
    sa.Column('instrument_checksum', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_self_assessments_wave_id_waves')),
    sa.PrimaryKeyConstraint('wave_id', name=op.f('pk_self_assessments'))
    )
    op.create_table('self_assessment_respondents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(role = 'staff') = (user_id IS NOT NULL) AND (user_id IS NULL) = (token_hash IS NOT NULL) AND (token_hash IS NULL) = (expires_at IS NULL)", name=op.f('ck_self_assessment_respondents_staff_or_link')),
    sa.CheckConstraint("role IN ('staff', 'workforce_board', 'training_provider', 'union', 'community', 'employer', 'other')", name=op.f('ck_self_assessment_respondents_role')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_self_assessment_respondents_user_id_users')),
    sa.ForeignKeyConstraint(['wave_id'], ['self_assessments.wave_id'], name=op.f('fk_self_assessment_respondents_wave_id_self_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment_respondents')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_self_assessment_respondents_token_hash')),
    sa.UniqueConstraint('wave_id', 'user_id', name=op.f('uq_self_assessment_respondents_wave_id_user_id'))
    )
    with op.batch_alter_table('self_assessment_respondents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_respondents_wave_id'), ['wave_id'], unique=False)

    op.create_table('self_assessment_answers',
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('code >= 1 AND code <= 99', name=op.f('ck_self_assessment_answers_code')),
    sa.ForeignKeyConstraint(['respondent_id'], ['self_assessment_respondents.id'], name=op.f('fk_self_assessment_answers_respondent_id_self_assessment_respondents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('respondent_id', 'item_id', name=op.f('pk_self_assessment_answers'))
    )


def downgrade():
    op.drop_table('self_assessment_answers')
    with op.batch_alter_table('self_assessment_respondents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_respondents_wave_id'))

    op.drop_table('self_assessment_respondents')
    op.drop_table('self_assessments')
