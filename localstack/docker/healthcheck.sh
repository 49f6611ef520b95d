#!/bin/bash
# The image's HEALTHCHECK: healthy while the admin endpoint's /readyz answers 200 (FTP accepting,
# S3 reachable with the configured credentials, key service answering). It reads the gateway's own
# DROPZONE_ADMIN_* variables, prints /readyz's JSON (shown by `docker inspect`), and needs only bash.
set -u
host=${DROPZONE_ADMIN_BIND:-127.0.0.1}
case $host in
  0.0.0.0 | "::" | "[::]") host=127.0.0.1 ;;
esac
token=${DROPZONE_ADMIN_TOKEN:-}
if [[ -z $token && -n ${DROPZONE_ADMIN_TOKEN_FILE:-} ]]; then
  token=$(<"$DROPZONE_ADMIN_TOKEN_FILE") || exit 1
fi
if ! exec 3<>"/dev/tcp/${host}/${DROPZONE_ADMIN_PORT:-9180}"; then
  echo "the admin endpoint does not answer on ${host}:${DROPZONE_ADMIN_PORT:-9180} (admin.enabled?)"
  exit 1
fi
auth=
if [[ -n $token ]]; then
  auth="Authorization: Bearer ${token}"$'\r\n'
fi
printf 'GET /readyz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n' "$host" "$auth" >&3
response=$(timeout 4 cat <&3)
echo "${response#*$'\r\n\r\n'}"
[[ $response == "HTTP/1.1 200 "* ]]
