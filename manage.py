#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksadmin.settings")
    # Commands read the developer's .env (worksadmin/settings.py); the test suite does not.
    os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
