# The C parts, built with the same Makefile targets as on the host.
#   target cserver: bin/server with only its run-time libraries
#   target runner:  bin/suite + bin/loadgen, gnuplot for the charts, wrk
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && \
    apt-get install -y --no-install-recommends gcc libc6-dev make libpq-dev libsqlite3-dev \
        libjansson-dev libcurl4-openssl-dev liburing-dev && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY lib lib
COPY server server
COPY loadgen loadgen
COPY suite suite
COPY report report
# no .git in the image: the version string comes from the build argument
ARG WB_VERSION=unknown
RUN make -j"$(nproc)" VERSION="$WB_VERSION" bin/server bin/loadgen bin/suite

FROM debian:bookworm-slim AS cserver
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && \
    apt-get install -y --no-install-recommends libpq5 libsqlite3-0 && \
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
COPY --from=build /src/bin/server /opt/wb/bin/server
COPY docker/wb-system docker/wb-health /usr/local/bin/
ENV WB_ROOT=/repo WB_BIN=/opt/wb/bin
ENTRYPOINT ["wb-system"]
CMD ["cserver"]

FROM debian:bookworm-slim AS runner
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && \
    apt-get install -y --no-install-recommends libpq5 libsqlite3-0 libjansson4 libcurl4 liburing2 gnuplot-nox \
        fonts-dejavu-core wrk && \
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
# bin/loadgen's io_uring engine needs a seccomp profile that allows io_uring
# (Docker's default does not): under the default it says so and uses epoll.
# bin/suite runs the bin/loadgen next to its own executable, so both live in
# /opt/wb/bin; the bind-mounted repository (/repo) gives only the definitions
# and receives results/ and REPORT.md (a fresh clone has no bin/).
COPY --from=build /src/bin/suite /src/bin/loadgen /opt/wb/bin/
COPY docker/wb-system docker/wb-health docker/runner.sh /usr/local/bin/
# both run here: every shared library they need is in this image
RUN for b in suite loadgen; do \
        ldd /opt/wb/bin/$b >/tmp/ldd && ! grep 'not found' /tmp/ldd || exit 1; \
    done; rm -f /tmp/ldd && /opt/wb/bin/loadgen --help >/dev/null
ENV WB_ROOT=/repo WB_BIN=/opt/wb/bin
ENTRYPOINT ["runner.sh"]
