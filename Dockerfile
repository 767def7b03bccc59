# syntax=docker/dockerfile:1
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=lsp.settings

# WeasyPrint system libraries, fonts, and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libffi8 \
        shared-mime-info \
        fonts-dejavu-core \
        fonts-liberation2 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system kompeten \
    && useradd --system --gid kompeten --home-dir /app --shell /usr/sbin/nologin kompeten

WORKDIR /app

# Dependencies first, so this layer is cached while only code changes.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# /app itself and the media dir (a volume) belong to kompeten; a fresh named
# volume inherits that ownership. No recursive chown (it would copy every file
# into a new layer): the project is copied with --chown instead.
RUN mkdir -p /app/media && chown kompeten:kompeten /app /app/media

COPY --chown=kompeten:kompeten . .

# Build steps run as kompeten so the generated .mo files and STATIC_ROOT are
# writable at run time (the web service re-runs collectstatic on start).
USER kompeten

RUN python manage.py compilemessages
RUN DEBUG=false SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput

VOLUME ["/app/media"]
EXPOSE 8000

CMD ["gunicorn", "lsp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
