# secbot as a container: built with the Rust toolchain, run from a slim image as a non-root user
# with nothing but the binary and CA certificates. `docker build -t secbot .` from the repository.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p secbot \
    && install -D -m 0755 target/release/secbot /out/secbot

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/secbot --create-home --shell /usr/sbin/nologin secbot
COPY --from=build /out/secbot /usr/local/bin/secbot
USER 10001:10001
WORKDIR /var/lib/secbot
# Beyond loopback the web chat stays off unless SECBOT_WEBCHAT_TOKEN is set; logs are JSON lines.
ENV SECBOT_LISTEN=0.0.0.0:3978 \
    SECBOT_DATA_DIR=/var/lib/secbot \
    SECBOT_LOG_FORMAT=json
VOLUME ["/var/lib/secbot"]
EXPOSE 3978
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/secbot"]
CMD ["serve"]
