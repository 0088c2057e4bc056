"""gunicorn settings, read from the working directory: `gunicorn worksadmin.wsgi` (README).

The access log masks secret query parameters (`?partnerCode=`), see core/redaction.py.
"""

wsgi_app = "worksadmin.wsgi"
logger_class = "core.gunicorn.MaskingLogger"
accesslog = "-"
# Combined log format plus the time taken, in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
