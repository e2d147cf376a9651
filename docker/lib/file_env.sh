# file_env.sh: shell functions the images' entrypoints share, sourced (not
# run) by docker/db/docker-entrypoint.sh, docker/pgbouncer/docker-entrypoint.sh
# and docker/planpipe/migrate.sh; each Dockerfile copies it to
# /usr/local/lib/planpipe/file_env.sh. POSIX sh. The caller defines die().
# shellcheck shell=sh

# file_env VAR: VAR may come from VAR_FILE (a Docker secret, the official
# postgres image's convention); both at once is ambiguous, so an error. A
# value read from the file is set in VAR (trailing newlines dropped) but not
# exported: export it where a child process needs it. VAR_FILE is unset.
file_env() {
	eval "fe_value=\${$1:-}"
	eval "fe_file=\${$1_FILE:-}"
	if [ -n "$fe_value" ] && [ -n "$fe_file" ]; then
		die "both $1 and $1_FILE are set; set only one of them"
	fi
	if [ -n "$fe_file" ]; then
		[ -r "$fe_file" ] ||
			die "$1_FILE=$fe_file: no such file, or not readable by $(id -un) (uid $(id -u); on the host: chown $(id -u) FILE)"
		# $(...) drops the trailing newline editors add to secret files.
		fe_value=$(cat "$fe_file") || die "$1_FILE=$fe_file: cannot read it"
		eval "$1=\$fe_value"
	fi
	unset "$1_FILE"
}
