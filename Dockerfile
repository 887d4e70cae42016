# The production image of the navigator worker: `python -m agent start`, as a non-root user.
#   docker build -t ivr-navigator .
#   docker run --env-file .env ivr-navigator            # the navigator worker
#   docker run --env-file .env ivr-navigator mock-ivr scenarios/ivrs
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    RESULTS_DB=/data/results.sqlite

# the offline TTS voices of the audio path (the STT model and the Piper voice come from PyPI)
RUN apt-get update && apt-get install -y --no-install-recommends \
        flite espeak-ng festival festvox-kallpc8k \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY agent ./agent
RUN pip install -e .
COPY prompts ./prompts
COPY scenarios ./scenarios
COPY recordings ./recordings

RUN useradd --create-home --uid 10001 navigator && mkdir -p /data && chown navigator /data
USER navigator
VOLUME ["/data"]

ENTRYPOINT ["python", "-m", "agent"]
CMD ["start"]
