"""Seal drafts and pending comments: no unsent answer or free text in plain text.

Drafts and pending comments held a worker's free text next to (or in the same
transaction as) their other answers, readable in any copy of the database files.
They are now stored encrypted (surveyapp/survey/sealing.py).

Upgrade: unsent drafts stored in plain text cannot be sealed (the key comes from
the worker's cookie, which the server never kept), so they are deleted; workers
with an unsent draft start again. Pending comments are released to staff at once,
in random order, exactly as a wave's close would release them.

Revision ID: 5c1d0a7e9b21
Revises: d3222d8200a7
Create Date: 2026-12-04 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5c1d0a7e9b21'
down_revision = 'd3222d8200a7'
branch_labels = None
depends_on = None


def _create_drafts(sealed):
    if sealed:
        contents = [
            sa.Column('contents', sa.Text(), nullable=False),
            sa.Column('key_by_cookie', sa.Text(), nullable=False),
            sa.Column('key_by_resume', sa.Text(), nullable=True),
        ]
    else:
        contents = [
            sa.Column('answers', sa.Text(), nullable=False),
            sa.Column('language', sa.String(length=8), nullable=False),
        ]
    op.create_table('drafts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    *contents,
    sa.Column('resume_hash', sa.String(length=64), nullable=True),
    sa.Column('access_code_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['distribution_links.id'], name=op.f('fk_drafts_link_id_distribution_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    sa.UniqueConstraint('resume_hash', name=op.f('uq_drafts_resume_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_drafts_token_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_drafts_link_id'), ['link_id'], unique=False)


def _drop_drafts():
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_link_id'))
        batch_op.drop_index(batch_op.f('ix_drafts_expires_on'))
    op.drop_table('drafts')


def _create_pending(text_column):
    op.create_table('pending_comments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column(text_column, sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_pending_comments_employer_id_employers')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_pending_comments_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_comments')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pending_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_comments_wave_id'), ['wave_id'], unique=False)


def _drop_pending():
    with op.batch_alter_table('pending_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_comments_wave_id'))
    op.drop_table('pending_comments')


def upgrade():
    op.execute(
        "INSERT INTO comments (id, wave_id, employer_id, item_id, language, text, approved) "
        "SELECT id, wave_id, employer_id, item_id, language, text, false "
        "FROM pending_comments ORDER BY random()"
    )
    _drop_pending()
    _create_pending('sealed_text')
    _drop_drafts()
    _create_drafts(sealed=True)


def downgrade():
    # Sealed rows cannot be opened without the app's keys: they are dropped.
    _drop_drafts()
    _create_drafts(sealed=False)
    _drop_pending()
    _create_pending('text')
