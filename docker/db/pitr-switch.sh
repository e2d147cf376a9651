# pitr-switch.sh: sourced by the db image's entrypoint (as postgres, before
# it looks at PGDATA). Puts a verified point-in-time restore in place of the
# cluster, and sets what pgBackRest needs from the entrypoint's environment.
#
# `planpipe-pitr restore` (pitr.sh) restores into a new directory beside
# PGDATA (15.pitr-STAMP on the same volume), verifies it, and writes its name
# into the file pitr-switch beside them. At the next start of the container,
# pitr_switch renames PGDATA to 15.replaced-STAMP and the restored directory
# to PGDATA, then removes pitr-switch. Each step is a rename on one file
# system; a start interrupted between them finishes the switch on the next.
# The replaced cluster is kept: remove it once the restored one is checked
# (docs/backup.md).
#
# Uses the entrypoint's log and die.

pitr_env() {
	# pgBackRest connects over the unix socket as the cluster's superuser.
	export PGBACKREST_PG1_USER="${PGBACKREST_PG1_USER:-${POSTGRES_USER:-postgres}}"
}

pitr_switch() {
	pitr_env
	ps_parent=$(dirname "$PGDATA")
	ps_file="$ps_parent/pitr-switch"
	[ -f "$ps_file" ] || return 0
	ps_new=$(cat "$ps_file")
	case "$ps_new" in
	"$(basename "$PGDATA")".pitr-[0-9]*T[0-9]*Z) ;;
	*) die "$ps_file names '$ps_new', which is not a restore of planpipe-pitr: not switching." \
		"Remove $ps_file to start the current cluster, or put the restore's directory name in it." ;;
	esac
	ps_dir="$ps_parent/$ps_new"
	if [ -d "$ps_dir" ]; then
		[ -f "$ps_dir/pitr-verified" ] ||
			die "$ps_dir was not verified (no pitr-verified in it): not switching." \
				"Run planpipe restore --to-time again, or remove $ps_file to start the current cluster."
		if [ -e "$PGDATA/PG_VERSION" ]; then
			ps_old="$ps_parent/$(basename "$PGDATA").replaced-$(date -u +%Y%m%dT%H%M%SZ)"
			log "point-in-time restore: keeping the current cluster as $ps_old"
			mv "$PGDATA" "$ps_old" || die "cannot rename $PGDATA to $ps_old"
		elif [ -e "$PGDATA" ]; then
			rmdir "$PGDATA" 2>/dev/null ||
				die "$PGDATA is in the way of the point-in-time restore $ps_dir and holds no cluster." \
					"Move it away, then start again."
		fi
		mv "$ps_dir" "$PGDATA" || die "cannot rename $ps_dir to $PGDATA"
		log "point-in-time restore: $ps_new is now $PGDATA ($(sed -n 's/^target: //p' "$PGDATA/pitr-verified"))"
	elif [ ! -f "$PGDATA/pitr-verified" ]; then
		die "$ps_file names $ps_new, which does not exist and is not in place either." \
			"Remove $ps_file to start the current cluster."
	fi
	rm -f "$ps_file"
	sync "$ps_parent" 2>/dev/null || true
}
