"""Stored releases: a revision, new each time the figures are stored.

Revision ID: 4e8b1f6a2d90
Revises: 9c4d2e71a5b3
Create Date: 2026-12-05 22:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4e8b1f6a2d90'
down_revision = '9c4d2e71a5b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wave_releases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('revision', sa.String(length=32), server_default='', nullable=False)
        )
    # Releases stored before get one each, so processes can keep them parsed.
    releases = sa.table('wave_releases', sa.column('wave_id'), sa.column('revision'))
    connection = op.get_bind()
    for (wave_id,) in connection.execute(sa.select(releases.c.wave_id)).all():
        connection.execute(
            releases.update()
            .where(releases.c.wave_id == wave_id)
            .values(revision=secrets.token_hex(16))
        )


def downgrade():
    with op.batch_alter_table('wave_releases', schema=None) as batch_op:
        batch_op.drop_column('revision')
