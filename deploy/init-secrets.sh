#!/bin/sh
# Makes the secrets deploy/compose.yaml reads: a random PostgreSQL password, the database URL
# that uses it, and a random admin token. The folder is its owner's alone; the files in it are
# readable by the containers' own users (secbot runs as uid 10001, PostgreSQL as 999), to whom
# Compose mounts them. Existing files are kept, so running it again changes nothing.
set -eu
cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets
umask 022
[ -s secrets/postgres_password ] || od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > secrets/postgres_password
[ -s secrets/database_url ] || printf 'postgres://secbot:%s@postgres:5432/secbot' "$(cat secrets/postgres_password)" > secrets/database_url
[ -s secrets/admin_token ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > secrets/admin_token
[ -e secbot.env ] || cp secbot.env.example secbot.env
echo "secrets in $(pwd)/secrets; settings in $(pwd)/secbot.env"
