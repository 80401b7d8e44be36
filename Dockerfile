# Build a wheel in one stage, install it in a slim runtime stage run by a non-root user.
FROM python:3.11-slim AS build
# A C compiler: setup.py compiles the rule parser with mypyc (pure Python without one).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY intent ./intent
COPY execution ./execution
COPY web ./web
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 tradeassist
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER tradeassist
WORKDIR /home/tradeassist
# Listen on all interfaces inside the container; data lives in a volume.
ENV TRADEASSIST_HOST=0.0.0.0 \
    TRADEASSIST_PORT=8000 \
    TRADEASSIST_DATA_DIR=/home/tradeassist/data \
    PYTHONUNBUFFERED=1
VOLUME ["/home/tradeassist/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
CMD ["tradeassist", "serve"]
