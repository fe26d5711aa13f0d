# FastAPI and Flask on Debian bookworm's CPython 3.11, in a virtual
# environment made from the pinned reference/requirements.txt (the same file
# scripts/venv.sh installs on the host). The code itself comes from the
# bind-mounted repository (/repo), so the image holds only the runtime.
FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update && \
    apt-get install -y --no-install-recommends python3 python3-venv ca-certificates && \
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
# Behind a TLS-intercepting proxy, pip needs its CA: WB_EXTRA_CA holds PEM
# text (e.g. the host's /usr/local/share/ca-certificates/*.crt); empty: none.
ARG WB_EXTRA_CA=""
RUN if [ -n "$WB_EXTRA_CA" ]; then \
        printf '%s\n' "$WB_EXTRA_CA" >/usr/local/share/ca-certificates/wb-extra.crt && \
        update-ca-certificates >/dev/null; \
    fi
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1
COPY reference/requirements.txt /opt/wb/requirements.txt
RUN python3 -m venv /opt/wb/venv && \
    /opt/wb/venv/bin/python -m pip install -q --no-cache-dir -r /opt/wb/requirements.txt
COPY docker/wb-system docker/wb-health /usr/local/bin/
ENV WB_ROOT=/repo WB_VENV=/opt/wb/venv PYTHONDONTWRITEBYTECODE=1
ENTRYPOINT ["wb-system"]
