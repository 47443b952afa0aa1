FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin oneprotect

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/oneprotect oneprotect && mkdir -p /var/lib/oneprotect && chown oneprotect /var/lib/oneprotect
COPY --from=build /src/target/release/oneprotect /usr/local/bin/oneprotect
COPY config /etc/oneprotect
ENV ONEPROTECT_CONFIG_DIR=/etc/oneprotect ONEPROTECT_ENV=production
USER oneprotect
WORKDIR /var/lib/oneprotect
EXPOSE 8080
ENTRYPOINT ["oneprotect"]
CMD ["serve"]
