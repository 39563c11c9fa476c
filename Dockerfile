# Strata: one image for the API (`strata serve`) and the Copernicus worker (`strata worker`),
# the entry point the Helm chart uses. Build: docker build -t strata .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# The web catalogue, built from its lockfile and the API's schema; only dist/ reaches the image.
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY schema.graphql /src/schema.graphql
COPY web ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/strata
COPY pyproject.toml README.md ./
COPY graphql_api ./graphql_api
COPY resolvers ./resolvers
COPY storage ./storage
COPY client ./client
COPY background ./background
COPY upstream ./upstream
COPY cli ./cli
# Only binary wheels: the final image needs no compiler, and neither does this stage.
RUN /opt/strata/bin/pip install --only-binary=:all: --no-compile ".[otel]" \
 && /opt/strata/bin/python -m compileall -q /opt/strata/lib

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 strata \
 && useradd --system --uid 10001 --gid strata --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin strata
COPY --from=build /opt/strata /opt/strata
COPY --from=web /src/web/dist /opt/strata-web
ENV PATH=/opt/strata/bin:$PATH \
    STRATA_WEB_DIST=/opt/strata-web \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STRATA_LOG_FORMAT=json
USER 10001:10001
EXPOSE 8000 9100
# SIGTERM goes straight to the Python process (exec form): it drains and hands work back.
ENTRYPOINT ["strata"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
