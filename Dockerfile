# syntax=docker/dockerfile:1
# Dropzone gateway image: the shaded jar on a slim JRE, running as an unprivileged user.
# Build: docker build -t dropzone .   Run: see docker-compose.yml and the README ("Deploying").
# Needs BuildKit (the Maven cache mount below): the default builder of Docker 23+ and of
# 'docker compose'; with an older Docker run DOCKER_BUILDKIT=1 docker build -t dropzone .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first, so the dependency download is cached while only sources change.
COPY pom.xml ./
COPY kek-cache/pom.xml kek-cache/
COPY s3-store/pom.xml s3-store/
COPY gateway/embedded-s3/pom.xml gateway/embedded-s3/
COPY gateway/pom.xml gateway/
COPY localstack/pom.xml localstack/
COPY kek-cache/src kek-cache/src
COPY s3-store/src s3-store/src
# Built because the gateway's tests and package phase need it; the image does not take its jar
# (dropzone-embedded-s3.jar: S3Proxy with Jetty and jclouds), since the image runs 'serve' only.
COPY gateway/embedded-s3/src gateway/embedded-s3/src
COPY gateway/src gateway/src
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package -pl gateway -am \
 && cp gateway/target/dropzone.jar /dropzone.jar

FROM eclipse-temurin:17-jre
# A fixed uid so volume permissions and Kubernetes securityContext can refer to it.
RUN groupadd --system --gid 10001 dropzone \
 && useradd --system --uid 10001 --gid dropzone --home-dir /var/lib/dropzone --shell /usr/sbin/nologin dropzone \
 && mkdir -p /etc/dropzone /var/lib/dropzone/users \
 && chown -R dropzone:dropzone /var/lib/dropzone
COPY --from=build /dropzone.jar /app/dropzone.jar
COPY localstack/docker/dropzone.yaml /etc/dropzone/dropzone.yaml
COPY localstack/docker/healthcheck.sh /app/healthcheck.sh
USER 10001:10001
WORKDIR /var/lib/dropzone
# FTP control (explicit FTPS on the same port), implicit FTPS, passive data ports.
EXPOSE 2121 990 50000-50100
# /readyz of the admin endpoint (on 127.0.0.1:9180 in the image's config): FTP accepting, S3
# reachable with the configured credentials and the key service answering, not only a live JVM.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "/app/healthcheck.sh"]
# Heap from the container's memory limit; die fast on OOM so the orchestrator restarts cleanly.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/dropzone.jar"]
CMD ["serve", "--config", "/etc/dropzone/dropzone.yaml"]
