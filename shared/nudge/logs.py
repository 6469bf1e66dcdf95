"""Logging for the functions: one line per record on stderr (Cloud Logging picks it up).

Never log message bodies or secrets at INFO: ids, counts and outcomes only.
"""

from __future__ import annotations

import logging

# Third-party loggers that say too much at INFO: twilio's HTTP client logs about ten lines per
# SMS (method, the URL with the account SID, every header). Their warnings still show.
QUIET_LOGGERS = {"twilio.http_client": logging.WARNING}

_configured = False


def configure_logging(level: str | None = None) -> None:
    global _configured
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    if _configured:
        return
    from nudge.settings import get_settings

    logging.basicConfig(
        level=(level or get_settings().log_level).upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    _configured = True
