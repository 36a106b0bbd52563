"""Extension objects, created unbound and attached to the app in the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .db import Base
from .ratelimit import anonymous_client_key, limit, log_breach, not_signed_in, signed_in_key

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
# Counters live only in memory (or Redis via RATELIMIT_STORAGE_URI), keyed by a
# salted, rotating hash of the client address: anonymity rule 5.
limiter = Limiter(key_func=anonymous_client_key, default_limits=[], on_breach=log_breach)
# Forms sent by one signed-in account, counted across the staff and employer consoles.
console_limit = limiter.shared_limit(
    limit("console"),
    scope="console",
    key_func=signed_in_key,
    exempt_when=not_signed_in,
    methods=["POST"],
)
# HTML and CSS go out gzip- (or brotli-) compressed when the browser accepts it;
# settings and the note on BREACH are in app.py.
compress = Compress()
