#!/bin/sh
# Makes the image debian:bookworm-slim exist locally, so our Dockerfiles can
# stay exactly `FROM debian:bookworm-slim`, as production builds them.
#
#   scripts/docker-base-image.sh
#
# Does nothing when the image is already there. Otherwise tries `docker pull`;
# where no registry is reachable (CI, offline builders) it makes the image
# from Debian's own archive: debootstrap --variant=minbase, trimmed the way
# the official slim image is, then `docker import`. The root filesystem is
# cached as a tarball so the next machine-local rebuild is a few seconds.
#
# Environment (all optional):
#   PLANPIPE_BASE_IMAGE    image to make          (debian:bookworm-slim)
#   PLANPIPE_CACHE_DIR     where the tarball goes (/var/cache/planpipe)
#   PLANPIPE_BASE_REFRESH  1: rebuild the tarball even if cached
#   PLANPIPE_BASE_NO_PULL  1: do not try a registry first
#   DEBIAN_MIRROR          archive to bootstrap from (http://deb.debian.org/debian)
#
# Needs root for debootstrap (only when the image has to be made).
set -eu

image=${PLANPIPE_BASE_IMAGE:-debian:bookworm-slim}
cache=${PLANPIPE_CACHE_DIR:-/var/cache/planpipe}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# A cached root filesystem older than this misses security updates that the
# images built on top would otherwise only get by luck of apt-get install.
max_age_days=30

say() { echo "docker-base-image: $*" >&2; }
die() { say "$*"; exit 1; }

if docker image inspect "$image" >/dev/null 2>&1; then
	exit 0
fi

if [ "${PLANPIPE_BASE_NO_PULL:-0}" != 1 ]; then
	say "pulling $image"
	if timeout 300 docker pull -q "$image" >/dev/null 2>&1; then
		exit 0
	fi
	say "no registry answered; building $image from $mirror with debootstrap"
fi

command -v debootstrap >/dev/null 2>&1 ||
	die "debootstrap is missing: sh scripts/install-deps.sh docker"
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root; run: sudo $0"

arch=$(dpkg --print-architecture)
tarball="$cache/debian-$suite-minbase-$arch.tar"

if [ "${PLANPIPE_BASE_REFRESH:-0}" = 1 ] ||
	[ -n "$(find "$tarball" -mtime +"$max_age_days" 2>/dev/null)" ]; then
	rm -f "$tarball"
fi

if [ ! -f "$tarball" ]; then
	mkdir -p "$cache"
	root=$(mktemp -d "$cache/rootfs.XXXXXX")
	# Whatever happens, do not leave a half-made root filesystem behind;
	# the mounts debootstrap makes are gone once it exits.
	trap 'rm -rf "$root" "$tarball.tmp"' EXIT
	trap 'exit 130' INT TERM

	say "debootstrap $suite into $root (a minute or two)"
	debootstrap --variant=minbase --arch="$arch" "$suite" "$root" "$mirror" \
		>"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }

	# The same trimming and apt settings as the official debian:*-slim
	# images (debuerreotype), so that what works here works there.
	cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<-'EOF'
	path-exclude /usr/share/doc/*
	path-include /usr/share/doc/*/copyright
	path-exclude /usr/share/groff/*
	path-exclude /usr/share/info/*
	path-exclude /usr/share/linda/*
	path-exclude /usr/share/lintian/*
	path-exclude /usr/share/locale/*
	path-exclude /usr/share/man/*
	EOF
	find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
	find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$root/usr/share/groff"/* "$root/usr/share/info"/* \
		"$root/usr/share/linda"/* "$root/usr/share/lintian"/* \
		"$root/usr/share/locale"/* "$root/usr/share/man"/*

	cat >"$root/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
	DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
	APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
	Dir::Cache::pkgcache "";
	Dir::Cache::srcpkgcache "";
	EOF
	echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
	echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
	echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
	# Package scripts must not try to start services in an image build.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"

	# The official image's sources: the release, its updates and security.
	rm -f "$root/etc/apt/sources.list"
	cat >"$root/etc/apt/sources.list.d/debian.sources" <<-EOF
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: $suite $suite-updates
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: http://deb.debian.org/debian-security
	Suites: $suite-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF

	# Docker provides these at run time; the host's copies must not leak in.
	: >"$root/etc/resolv.conf"
	: >"$root/etc/hostname"
	rm -rf "$root/var/lib/apt/lists"/* "$root/var/cache/apt"/*.bin \
		"$root/var/cache/apt/archives"/*.deb "$root/var/log"/* \
		"$root/debootstrap" "$root/tmp"/* "$root/var/tmp"/*

	tar --numeric-owner --xattrs -C "$root" -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$root"
	trap - EXIT INT TERM
fi

say "importing $tarball as $image"
# The configuration the official image carries: PATH set (Dockerfiles say
# ENV PATH=...:$PATH), bash as the command.
docker import \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'CMD ["bash"]' \
	--message "debootstrap --variant=minbase $suite from $mirror (scripts/docker-base-image.sh)" \
	"$tarball" "$image" >/dev/null
say "made $image"
