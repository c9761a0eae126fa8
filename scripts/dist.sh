#!/usr/bin/env bash
# scripts/dist.sh: release archives, as `make dist` runs it.
#
#   scripts/dist.sh [-check] OUTDIR VERSION TARGET...
#
# For each TARGET (GOOS/GOARCH) it builds cmd/preflight with -trimpath, cgo
# off and VERSION stamped in (-X main.version), and packs the binary with
# README.md into OUTDIR/preflight_VERSION_GOOS_GOARCH.tar.gz (.zip for
# windows). Archives are reproducible: sorted names, owner 0, the commit's
# time as mtime, gzip without a name or time stamp. OUTDIR/SHA256SUMS lists
# them in `sha256sum -c` format.
#
# -check then verifies what was built: the checksums, the archive's
# contents, `preflight version` (when the target runs here; the stamped
# version and commit) and the build settings `go version -m` reads from the
# binary (-trimpath, cgo off; the go command does not record -ldflags
# under -trimpath). `make test` runs it on the
# host target only, so the recipe cannot rot.
set -euo pipefail

check=0
if [[ ${1:-} == -check ]]; then
	check=1
	shift
fi
if (($# < 3)); then
	echo "usage: $0 [-check] OUTDIR VERSION GOOS/GOARCH..." >&2
	exit 2
fi
out=$1 version=$2
shift 2
cd "$(dirname "$0")/.."
GO=${GO:-go}

# Timestamps in archives are the commit's, so two builds of one commit give
# the same bytes; outside git, the epoch.
epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
# The commit is stamped in too: the go command records no vcs.revision in
# git worktrees or with -buildvcs=false.
commit=$(git rev-parse HEAD 2>/dev/null || true)
if [[ -n $commit ]] && ! git diff --quiet HEAD -- 2>/dev/null; then commit+=+dirty; fi

sha256() {
	if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/preflight-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT

archives=()
for target in "$@"; do
	goos=${target%/*} goarch=${target#*/}
	name=preflight_${version}_${goos}_${goarch}
	exe=preflight
	[[ $goos == windows ]] && exe=preflight.exe
	mkdir -p "$stage/$name"
	echo ">> $target" >&2
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch $GO build -trimpath -buildvcs=auto \
		-ldflags "-s -w -X main.version=$version -X main.commit=$commit" -o "$stage/$name/$exe" ./cmd/preflight
	cp README.md "$stage/$name/"
	touch -d "@$epoch" "$stage/$name" "$stage/$name"/*
	if [[ $goos == windows ]]; then
		archive=$name.zip
		rm -f "$out/$archive"
		if command -v zip >/dev/null; then
			(cd "$stage" && zip -qrX "$out/$archive" "$name")
		else
			(cd "$stage" && python3 -m zipfile -c "$out/$archive" "$name")
		fi
	else
		archive=$name.tar.gz
		tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" |
			gzip -n -9 >"$out/$archive"
	fi
	archives+=("$archive")
done
(cd "$out" && sha256 "${archives[@]}" >SHA256SUMS)
ls -l "$out" >&2

((check)) || exit 0

# ------------------------------------------------------------------ check
fail() {
	echo "dist check: $*" >&2
	exit 1
}
(cd "$out" && sha256 -c --quiet SHA256SUMS) || fail "SHA256SUMS does not match the archives"
for target in "$@"; do
	goos=${target%/*} goarch=${target#*/}
	name=preflight_${version}_${goos}_${goarch}
	if [[ $goos == windows ]]; then
		got=$(unzip -Z1 "$out/$name.zip" | grep -v '/$' | sort | tr '\n' ' ')
		[[ $got == "$name/README.md $name/preflight.exe " ]] || fail "$name.zip holds $got"
		continue
	fi
	x=$stage/x-$goos-$goarch
	mkdir -p "$x"
	tar -C "$x" -xzf "$out/$name.tar.gz"
	got=$(cd "$x" && find . -type f | sort | tr '\n' ' ')
	[[ $got == "./$name/README.md ./$name/preflight " ]] || fail "$name.tar.gz holds $got"
	bin=$x/$name/preflight
	info=$($GO version -m "$bin")
	for want in "-trimpath=true" "GOOS=$goos" "GOARCH=$goarch" "CGO_ENABLED=0"; do
		grep -qF -- "$want" <<<"$info" || fail "$name: build info lacks $want: $info"
	done
	if [[ $goos == $($GO env GOHOSTOS) && $goarch == $($GO env GOHOSTARCH) ]]; then
		first=$("$bin" version | head -1)
		want="preflight $version"
		if [[ -n $commit && $version != *"${commit:0:7}"* ]]; then want+=" (commit $commit)"; fi
		[[ $first == "$want" ]] || fail "$name: 'preflight version' says '$first', want '$want'"
		echo ">> $name: $first" >&2
	fi
done
echo ">> dist check passed: $*" >&2
