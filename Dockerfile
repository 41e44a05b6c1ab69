# The Azure ML environment image: Python 3.11 and exactly the run-time dependencies in
# uv.lock ([project] dependencies, no dev group), the versions the local venv has.
# Build it for linux/amd64, what compute clusters run: `invoke azure-env` passes
# --platform linux/amd64 to `docker build` and to `az acr build`.
FROM python:3.11-slim

COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv

ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH \
    KEDRO_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=1

WORKDIR /opt/build
COPY pyproject.toml uv.lock ./
# --frozen: install the lock as it is; the project itself arrives as the code upload.
# Steps run as an unprivileged user.
RUN uv sync --frozen --no-dev --no-install-project --no-cache \
    && useradd --create-home --uid 1000 kedro
USER 1000
WORKDIR /home/kedro
