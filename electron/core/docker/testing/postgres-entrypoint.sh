#!/bin/sh
# The entrypoint of the test PostgreSQL image (postgres-image.ts): the official image's
# docker-entrypoint.sh in POSIX sh (dash), step by step. References are
# docker-library/postgres@6edb0a8c:15/alpine3.23/docker-entrypoint.sh:<line> (18's is the same file).
# Left out: nss_wrapper for uids missing from /etc/passwd (:68-85, :94-98), POSTGRES_INITDB_WALDIR
# (:48-54, :87-89), the 18+ old-data check (:139-167, :248-257) and compressed init files (:192-194).
set -e

# file_env VAR [DEFAULT]: VAR or the contents of VAR_FILE, never both (:9-25).
file_env() {
	_var="$1"
	_fileVar="${1}_FILE"
	_def="${2:-}"
	eval "_val=\${$_var:-}"
	eval "_file=\${$_fileVar:-}"
	if [ -n "$_val" ] && [ -n "$_file" ]; then
		printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$_var" "$_fileVar"
		exit 1
	fi
	if [ -z "$_val" ]; then
		if [ -n "$_file" ]; then
			_val="$(cat "$_file")"
		else
			_val="$_def"
		fi
	fi
	export "$_var=$_val"
	unset "$_fileVar"
}

# Directories, owned by postgres when run as root (:36-61).
docker_create_db_directories() {
	mkdir -p "$PGDATA"
	chmod 00700 "$PGDATA" || :
	mkdir -p /var/run/postgresql || :
	chmod 03775 /var/run/postgresql || :
	if [ "$(id -u)" = '0' ]; then
		find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
		find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
	fi
}

# The superuser and its password; --pwfile refuses an empty file, hence the newline (:91-92).
# /dev/stdin stands in for bash's <(printf ...): the password never touches the disk.
docker_init_database_dir() {
	printf '%s\n' "$POSTGRES_PASSWORD" |
		eval 'initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin '"$POSTGRES_INITDB_ARGS"
}

# A password, or trust said out loud (:105-138).
docker_verify_minimum_env() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ 'trust' != "$POSTGRES_HOST_AUTH_METHOD" ]; then
		cat >&2 <<-'EOE'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

			       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
			       connections without a password. This is *not* recommended.

			       See PostgreSQL documentation about "trust":
			       https://www.postgresql.org/docs/current/auth-trust.html
		EOE
		exit 1
	fi
	if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
		cat >&2 <<-'EOWARN'
			********************************************************************************
			WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow
			         anyone with access to the Postgres port to access your database without
			         a password, even if POSTGRES_PASSWORD is set. See PostgreSQL
			         documentation about "trust":
			         https://www.postgresql.org/docs/current/auth-trust.html
			         In Docker's default configuration, this is effectively any other
			         container on the same system.

			         It is not recommended to use POSTGRES_HOST_AUTH_METHOD=trust. Replace
			         it with "-e POSTGRES_PASSWORD=password" instead to set a password in
			         "docker run".
			********************************************************************************
		EOWARN
	fi
}

# psql over the local socket as the superuser, without a password (:206-213).
docker_process_sql() {
	if [ -n "$POSTGRES_DB" ]; then
		set -- --dbname "$POSTGRES_DB" "$@"
	fi
	PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

# /docker-entrypoint-initdb.d: *.sh run or sourced, *.sql fed to psql (:172-199).
docker_process_init_files() {
	printf '\n'
	for f; do
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				printf '%s: running %s\n' "$0" "$f"
				"$f"
			else
				printf '%s: sourcing %s\n' "$0" "$f"
				. "$f"
			fi
			;;
		*.sql)
			printf '%s: running %s\n' "$0" "$f"
			docker_process_sql -f "$f"
			printf '\n'
			;;
		*) printf '%s: ignoring %s\n' "$0" "$f" ;;
		esac
		printf '\n'
	done
}

# CREATE DATABASE POSTGRES_DB unless it exists (:217-230).
docker_setup_db() {
	dbAlreadyExists="$(
		POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
			SELECT 1 FROM pg_database WHERE datname = :'db' ;
		EOSQL
	)"
	if [ -z "$dbAlreadyExists" ]; then
		POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db" ;
		EOSQL
		printf '\n'
	fi
}

# The settings, and whether PGDATA already holds a cluster (:234-246).
docker_setup_env() {
	file_env 'POSTGRES_PASSWORD'
	file_env 'POSTGRES_USER' 'postgres'
	file_env 'POSTGRES_DB' "$POSTGRES_USER"
	file_env 'POSTGRES_INITDB_ARGS'
	: "${POSTGRES_HOST_AUTH_METHOD:=}"
	: "${DATABASE_ALREADY_EXISTS:=}"
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS='true'
	fi
}

# `host all all all <password_encryption>` (scram-sha-256 in 14+), or trust (:263-281).
pg_setup_hba_conf() {
	if [ "$1" = 'postgres' ]; then
		shift
	fi
	auth="$(postgres -C password_encryption "$@")"
	: "${POSTGRES_HOST_AUTH_METHOD:=$auth}"
	{
		printf '\n'
		if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
			printf '# warning trust is enabled for all connections\n'
			printf '# see https://www.postgresql.org/docs/17/auth-trust.html\n'
		fi
		printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
	} >>"$PGDATA/pg_hba.conf"
}

# One shell word for pg_ctl -o, which hands its options to /bin/sh (bash's printf %q, :299).
quote() {
	printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# A socket-only server for the setup (:285-301).
docker_temp_server_start() {
	if [ "$1" = 'postgres' ]; then
		shift
	fi
	set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
	options=''
	for a; do options="$options$(quote "$a")"; done
	NOTIFY_SOCKET= PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$options" -w start
}

docker_temp_server_stop() {
	PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

# Options after which postgres prints and exits, so nothing is set up (:311-324).
_pg_want_help() {
	for arg; do
		case "$arg" in
		-'?' | --help | --describe-config | -V | --version) return 0 ;;
		esac
	done
	return 1
}

# (:326-378)
case "$1" in
-*) set -- postgres "$@" ;;
esac

if [ "$1" = 'postgres' ] && ! _pg_want_help "$@"; then
	docker_setup_env
	docker_create_db_directories
	if [ "$(id -u)" = '0' ]; then
		# gosu in the official image (:338); util-linux setpriv here. gosu also sets HOME.
		HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --clear-groups "$0" "$@"
	fi

	if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
		docker_verify_minimum_env
		ls /docker-entrypoint-initdb.d/ >/dev/null
		docker_init_database_dir
		pg_setup_hba_conf "$@"
		export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
		docker_temp_server_start "$@"
		docker_setup_db
		docker_process_init_files /docker-entrypoint-initdb.d/*
		docker_temp_server_stop
		unset PGPASSWORD
		cat <<-'EOM'

			PostgreSQL init process complete; ready for start up.

		EOM
	else
		cat <<-'EOM'

			PostgreSQL Database directory appears to contain a database; Skipping initialization

		EOM
	fi
fi

exec "$@"
