#!/bin/sh
# Runs once per 'docker compose up' before the gateways: on the first run it creates the users
# file with the user "demo" and a generated password, printed once in this service's log
# ("docker compose logs users-init"). Nothing secret is kept in the repository.
set -eu

jar=${DROPZONE_JAR:-/app/dropzone.jar}
file=${USERS_FILE:-/var/lib/dropzone/users/users.yaml}

if [ -s "$file" ]; then
  echo "Users file $file exists; passwords unchanged."
  exit 0
fi
password=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 20)
printf '%s\n' "$password" | java -jar "$jar" users add --file "$file" --password-stdin demo >/dev/null
echo "Demo user: demo password: $password (shown once; change it with:" \
  "docker compose run --rm --entrypoint java users-init -jar $jar users passwd --file $file demo)"
