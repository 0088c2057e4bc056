"""gunicorn's logger with secret query parameters masked (gunicorn.conf.py selects it).

gunicorn writes the request line, query string included, to its access log, and the URI
of a request that failed to its error log; both loggers get `SecretQueryFilter`.
"""

from gunicorn.glogging import Logger

from .redaction import SecretQueryFilter


class MaskingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, SecretQueryFilter) for f in log.filters):
                log.addFilter(SecretQueryFilter())
