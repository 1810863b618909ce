# Tracktion: one image for every role (api, worker watcher|catalog|analysis).
# Build: docker build -t tracktion .      Run: see compose.yaml.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m venv /opt/tracktion \
    && /opt/tracktion/bin/pip install '.[postgres,rabbitmq,redis]' \
    # musicnn ships the MSD_musicnn weights Tracktion reads; its own pins are stale
    && /opt/tracktion/bin/pip install --no-deps 'musicnn==0.1.0'

FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends cuetools \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 tracktion
COPY --from=build /opt/tracktion /opt/tracktion
ENV PATH=/opt/tracktion/bin:$PATH \
    TRACKTION_DATA_DIR=/var/lib/tracktion \
    TRACKTION_LOG_JSON=true
RUN mkdir -p /var/lib/tracktion && chown tracktion /var/lib/tracktion
USER tracktion
VOLUME ["/var/lib/tracktion"]
EXPOSE 8000
ENTRYPOINT ["tracktion"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
