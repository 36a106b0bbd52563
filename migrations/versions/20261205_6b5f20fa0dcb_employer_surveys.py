"""Employer surveys: an employer's answers about its own practices, once per wave.

Editable until the wave closes; at close the answers of sent surveys become the
employer's claims for the gap tests.

Revision ID: 6b5f20fa0dcb
Revises: 7a1c3e5f9b02
Create Date: 2026-12-05 06:58:34.271096

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b5f20fa0dcb'
down_revision = '7a1c3e5f9b02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employer_surveys',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('instrument_key', sa.String(length=32), nullable=False),
    sa.Column('instrument_version', sa.Integer(), nullable=False),
    sa.Column('instrument_checksum', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_employer_surveys_employer_id_employers')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_employer_surveys_wave_id_waves')),
    sa.PrimaryKeyConstraint('wave_id', 'employer_id', name=op.f('pk_employer_surveys'))
    )
    op.create_table('employer_answers',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.SmallInteger(), nullable=True),
    sa.Column('number', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.CheckConstraint('(code IS NULL) <> (number IS NULL)', name=op.f('ck_employer_answers_one_value')),
    sa.ForeignKeyConstraint(['wave_id', 'employer_id'], ['employer_surveys.wave_id', 'employer_surveys.employer_id'], name=op.f('fk_employer_answers_wave_id_employer_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'employer_id', 'item_id', name=op.f('pk_employer_answers'))
    )


def downgrade():
    op.drop_table('employer_answers')
    op.drop_table('employer_surveys')
