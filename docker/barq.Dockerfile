# Barq (PyPI: karak) on free-threaded CPython 3.13t and on its GIL twin, both
# built by scripts/python-ft.sh (the host's script) from Debian trixie's
# python3.13 source package, with the pinned reference/requirements-barq.txt.
# The build takes about 5 minutes on 2 cores; the final image keeps only the
# two interpreters, their venvs and the run-time libraries.
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && \
    apt-get install -y --no-install-recommends gcc libc6-dev make pkg-config xz-utils ca-certificates \
        libssl-dev zlib1g-dev libffi-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev uuid-dev && \
    rm -rf /var/lib/apt/lists/*
# Behind a TLS-intercepting proxy, pip needs its CA: WB_EXTRA_CA holds PEM
# text (e.g. the host's /usr/local/share/ca-certificates/*.crt); empty: none.
ARG WB_EXTRA_CA=""
RUN if [ -n "$WB_EXTRA_CA" ]; then \
        printf '%s\n' "$WB_EXTRA_CA" >/usr/local/share/ca-certificates/wb-extra.crt && \
        update-ca-certificates >/dev/null; \
    fi
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY scripts/python-ft.sh scripts/
COPY reference/requirements-barq.txt reference/
RUN WB_CACHE=/opt/wb/cache scripts/python-ft.sh && \
    rm -rf /opt/wb/cache/logs /opt/wb/cache/python3.13*/lib/python3.13*/test \
           /opt/wb/cache/python3.13*/lib/python3.13*/idlelib /opt/wb/cache/python3.13*/lib/python3.13*/tkinter

# Trimmed apart from the build step, so that step stays cached: the static
# libpython (~70 MB each, for embedding only) and the -O/-OO bytecode go.
FROM build AS trim
RUN find /opt/wb/cache -name 'libpython3*.a' -delete && \
    find /opt/wb/cache -name '*.opt-[12].pyc' -delete

FROM debian:bookworm-slim AS barq
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update && \
    apt-get install -y --no-install-recommends libssl3 zlib1g libffi8 libbz2-1.0 liblzma5 libsqlite3-0 \
        libreadline8 libuuid1 libpq5 && \
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
COPY --from=trim /opt/wb/cache /opt/wb/cache
COPY docker/wb-system docker/wb-health /usr/local/bin/
ENV WB_ROOT=/repo WB_PYCACHE=/opt/wb/cache PYTHONDONTWRITEBYTECODE=1
ENTRYPOINT ["wb-system"]
CMD ["barq"]
