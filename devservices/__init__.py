"""Real backing services for development and tests, installed from package registries.

FerretDB (MongoDB wire protocol), MinIO (S3) and Keycloak (OIDC) are built or downloaded
at pinned versions into ``.cache/``, started on loopback, health-checked and stopped by
this package. It uses the standard library only, so it runs before anything is installed.

Usage::

    python -m devservices up       # install if needed, start, wait until healthy
    python -m devservices status
    python -m devservices down
"""
