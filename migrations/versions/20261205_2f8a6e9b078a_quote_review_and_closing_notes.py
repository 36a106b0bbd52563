"""Quote review and closing notes.

Staff mark each worker comment reviewed (approved as a quote, possibly edited, or
rejected), and write a "What happens next" note for a closed round's survey links.

Revision ID: 2f8a6e9b078a
Revises: 6b5f20fa0dcb
Create Date: 2026-12-05 07:43:22.216946

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2f8a6e9b078a'
down_revision = '6b5f20fa0dcb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closing_note', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.drop_column('closing_note')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('reviewed')

