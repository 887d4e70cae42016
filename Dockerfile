# The ivr-navigator image. Build: docker build -t ivr-navigator .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY agent ./agent
RUN pip install .

COPY prompts ./prompts
COPY scenarios ./scenarios

RUN useradd --create-home --uid 10001 navigator
USER navigator

# the packaged code reads prompts/ and scenarios/ beside it
ENV PYTHONPATH=/app
ENTRYPOINT ["python", "-m", "agent"]
CMD ["simulate", "scenarios/"]
