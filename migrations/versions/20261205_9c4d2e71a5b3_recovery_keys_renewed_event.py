"""Account events: a kind for new recovery keys made.

Revision ID: 9c4d2e71a5b3
Revises: fe66a202ac78
Create Date: 2026-12-05 13:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c4d2e71a5b3'
down_revision = 'fe66a202ac78'
branch_labels = None
depends_on = None

_BEFORE = (
    'sign_in', 'sign_in_failed', 'code_failed', 'sign_in_limited', 'second_factor_enrolled',
    'second_factor_removed', 'recovery_code_used', 'password_changed', 'password_set_by_link',
    'invite_link_made', 'reset_link_made', 'api_token_made', 'api_token_revoked',
    'account_switched_off', 'account_switched_on',
)
_AFTER = (*_BEFORE[:7], 'recovery_keys_renewed', *_BEFORE[7:])


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_events_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_account_events_kind'), _kinds(_AFTER))


def downgrade():
    op.execute("DELETE FROM account_events WHERE kind = 'recovery_keys_renewed'")
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_events_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_account_events_kind'), _kinds(_BEFORE))
