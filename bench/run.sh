#!/usr/bin/env bash
# Benchmark s3link sync against the AWS CLI, rclone and s5cmd, on loopback,
# with versitygw (posix backend) as the S3 server, beside two ceilings: raw
# GETs that discard the bodies, and raw GETs that write each body to its
# own file (no temporary name, no verification, no rename).
#
#   bench/run.sh                          # all data sets, 3 runs each
#   BENCH_SETS=small BENCH_RUNS=1 bench/run.sh   # quick look
#
# Environment:
#   BENCH_SETS   data sets, space or comma separated (default "small large mixed"):
#                small = 5,000 x 32 KiB in nested folders, large = 4 x 512 MiB,
#                mixed = 400 x 1-12 MiB, many = 100,000 x 1 KiB (s3link only,
#                for peak RSS)
#   BENCH_RUNS   repetitions; the table shows medians (default 3)
#   BENCH_TOOLS  which downloaders to time (default "s3link aws rclone rclone-tuned
#                s5cmd s5cmd-sync raw rawget-write"; "s3link-tui" times the same sync
#                with its live screen in tmux). s5cmd (cp) and s5cmd-sync run when
#                bench/.bin/s5cmd exists: build v2.3.0 from github.com/peak/s5cmd
#                (git clone, checkout v2.3.0, go build -o bench/.bin/s5cmd .);
#                without it they are skipped with a note. "s3link-cN" (e.g. s3link-c32)
#                is s3link sync --concurrency N, to compare concurrency settings.
#   BENCH_S3LINK_FLAGS  extra flags for s3link sync, e.g. "--concurrency 32"
#   BENCH_S3LINK_BEFORE path to another s3link binary (an older build, say); adds
#                the tool "s3link-before", timed with the same flags beside s3link
#   BENCH_DATA   where data, server root and downloads live (default bench/.data)
#   BENCH_SETTLE seconds to let the disk settle before each timed run (default 3)
#
# versitygw runs with --keep-alive: without it v1.8.0 answers every request
# with "Connection: close", so each GET pays a TCP handshake, which S3 does
# not make clients do.
#
# Tools are installed on first use into bench/.bin (versitygw v1.8.0, rclone
# v1.76.0 via go install); the AWS CLI must be on PATH. Data sets are made
# and uploaded once and reused by later runs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN="$HERE/.bin"
DATA="${BENCH_DATA:-$HERE/.data}"
RUNS="${BENCH_RUNS:-3}"
SETS=$(echo "${BENCH_SETS:-small large mixed}" | tr ',' ' ')
TOOLS=$(echo "${BENCH_TOOLS:-s3link aws rclone rclone-tuned s5cmd s5cmd-sync raw rawget-write}" | tr ',' ' ')
S3LINK_FLAGS="${BENCH_S3LINK_FLAGS:-}"
S3LINK_BEFORE="${BENCH_S3LINK_BEFORE:-}"
if [[ -n $S3LINK_BEFORE ]]; then
	[[ -x $S3LINK_BEFORE ]] || { echo "BENCH_S3LINK_BEFORE=$S3LINK_BEFORE is not an executable" >&2; exit 1; }
	[[ " $TOOLS " == *" s3link-before "* ]] || TOOLS="$TOOLS s3link-before"
fi

# Test credentials for the local server only; nothing here talks to AWS.
export AWS_ACCESS_KEY_ID=benchaccesskey
export AWS_SECRET_ACCESS_KEY=bench-secret-for-loopback-only
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
mkdir -p "$BIN" "$DATA"
: >"$DATA/empty.conf"
# Keep the user's own AWS and rclone settings out of the measurement.
export AWS_CONFIG_FILE="$DATA/empty.conf" AWS_SHARED_CREDENTIALS_FILE="$DATA/empty.conf"
export RCLONE_CONFIG="$DATA/empty.conf"

log() { printf '%s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------
export GOBIN="$BIN"
if [[ ! -x "$BIN/versitygw" ]]; then
	log "installing versitygw v1.8.0 into $BIN"
	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi
if [[ ! -x "$BIN/rclone" && ( " $TOOLS " == *" rclone"* || " $SETS " == *" many "* ) ]]; then
	log "installing rclone v1.76.0 into $BIN"
	go install github.com/rclone/rclone@v1.76.0
fi
command -v aws >/dev/null || { log "the AWS CLI is not on PATH"; exit 1; }
if [[ ! -x "$BIN/s5cmd" && " $TOOLS " == *" s5cmd"* ]]; then
	log "NOTE: $BIN/s5cmd not found, skipping s5cmd and s5cmd-sync. To include them, build s5cmd v2.3.0"
	log "      from github.com/peak/s5cmd (git clone; git checkout v2.3.0; go build -o $BIN/s5cmd .)."
	TOOLS=$(echo " $TOOLS " | sed 's/ s5cmd-sync / /; s/ s5cmd / /')
fi
[[ -x /usr/bin/time ]] || { log "installing GNU time for peak RSS"; apt-get install -y time >/dev/null; }
log "building s3link, rawget, mkdata"
(cd "$ROOT" && go build -o "$BIN/s3link" . && go build -o "$BIN/rawget" ./bench/rawget && go build -o "$BIN/mkdata" ./bench/mkdata)

# --- server --------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
VROOT="$DATA/vroot"
mkdir -p "$VROOT"
TMP=$(mktemp -d "$DATA/tmp.XXXXXX")
"$BIN/versitygw" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" \
	--port "127.0.0.1:$PORT" --quiet --keep-alive posix "$VROOT" >"$TMP/versitygw.log" 2>&1 &
VPID=$!
cleanup() {
	kill "$VPID" 2>/dev/null || true
	wait "$VPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
for _ in $(seq 100); do
	aws --endpoint-url "$URL" s3api list-buckets >/dev/null 2>&1 && break
	sleep 0.1
done
aws --endpoint-url "$URL" s3api list-buckets >/dev/null

# rclone remote "vgw" from the environment.
export RCLONE_CONFIG_VGW_TYPE=s3 RCLONE_CONFIG_VGW_PROVIDER=Other
export RCLONE_CONFIG_VGW_ENDPOINT="$URL" RCLONE_CONFIG_VGW_FORCE_PATH_STYLE=true
export RCLONE_CONFIG_VGW_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_VGW_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
export RCLONE_CONFIG_VGW_REGION=us-east-1

# BENCH_CMD runs another benchmark against this server instead of the
# download one, e.g. BENCH_CMD=bench/upload.sh for uploads.
if [[ -n ${BENCH_CMD:-} ]]; then
	BENCH_ENDPOINT="$URL" "$BENCH_CMD"
	exit
fi

# --- data ----------------------------------------------------------------
load_set() { # set
	local set=$1 src="$DATA/src/$1"
	if [[ ! -f "$src/.made" ]]; then
		rm -rf "$src"
		log "making data set $set"
		case $set in
		small) "$BIN/mkdata" -dir "$src" -n 5000 -min 32768 -max 32768 -seed 1 ;;
		large) "$BIN/mkdata" -dir "$src" -n 4 -min $((512 << 20)) -max $((512 << 20)) -seed 2 ;;
		mixed) "$BIN/mkdata" -dir "$src" -n 400 -min $((1 << 20)) -max $((12 << 20)) -seed 3 ;;
		many) "$BIN/mkdata" -dir "$src" -n 100000 -min 1024 -max 1024 -seed 4 ;;
		*) log "unknown data set $set"; exit 2 ;;
		esac
		touch "$src/.made"
	fi
	if [[ ! -f "$DATA/loaded.$set" ]]; then
		log "uploading data set $set"
		aws --endpoint-url "$URL" s3 mb "s3://bench-$set" >/dev/null 2>&1 || true
		if [[ $set == many ]]; then
			"$BIN/rclone" copy --transfers 32 --checkers 32 --exclude .made "$src" "vgw:bench-$set/data"
		else
			# The AWS CLI uploads as most users would: single PUTs up to 8 MiB
			# (plain-MD5 ETags), multipart above.
			aws --endpoint-url "$URL" s3 cp --recursive --only-show-errors --exclude .made "$src" "s3://bench-$set/data/"
		fi
		touch "$DATA/loaded.$set"
	fi
}

# --- measuring -----------------------------------------------------------
# run_tool tool set dest: runs one download, leaves "elapsed rss_kib" in $TMP/time.
run_tool() {
	local tool=$1 set=$2 dest=$3
	local -a cmd
	case $tool in
	s3link) # shellcheck disable=SC2206
		cmd=("$BIN/s3link" sync --no-tui --endpoint-url "$URL" --region us-east-1 $S3LINK_FLAGS "s3://bench-$set/data" "$dest") ;;
	s3link-c[0-9]*) # shellcheck disable=SC2206
		cmd=("$BIN/s3link" sync --no-tui --endpoint-url "$URL" --region us-east-1 --concurrency "${tool#s3link-c}" $S3LINK_FLAGS "s3://bench-$set/data" "$dest") ;;
	s3link-before) # shellcheck disable=SC2206
		cmd=("$S3LINK_BEFORE" sync --no-tui --endpoint-url "$URL" --region us-east-1 $S3LINK_FLAGS "s3://bench-$set/data" "$dest") ;;
	aws) cmd=(aws --endpoint-url "$URL" s3 sync --only-show-errors "s3://bench-$set/data" "$dest") ;;
	rclone) cmd=("$BIN/rclone" copy "vgw:bench-$set/data" "$dest") ;;
	rclone-tuned) cmd=("$BIN/rclone" copy --transfers 16 --checkers 32 --fast-list "vgw:bench-$set/data" "$dest") ;;
	s5cmd) cmd=("$BIN/s5cmd" --endpoint-url "$URL" cp "s3://bench-$set/data/*" "$dest/") ;;
	s5cmd-sync) cmd=("$BIN/s5cmd" --endpoint-url "$URL" sync "s3://bench-$set/data/*" "$dest/") ;;
	raw) cmd=("$BIN/rawget" -endpoint "$URL" -bucket "bench-$set" -prefix data/) ;;
	rawget-write) cmd=("$BIN/rawget" -endpoint "$URL" -bucket "bench-$set" -prefix data/ -write "$dest") ;;
	s3link-tui)
		# The same sync with its live screen drawn into a 100x30 tmux pane,
		# to measure what drawing costs against --no-tui.
		command -v tmux >/dev/null || { log "s3link-tui needs tmux"; exit 1; }
		rm -f "$TMP/tui.rc"
		tmux new-session -d -s s3link-bench -x 100 -y 30 \
			"/usr/bin/time -f '%e %M %U %S' -o '$TMP/time' '$BIN/s3link' sync --endpoint-url '$URL' --region us-east-1 $S3LINK_FLAGS 's3://bench-$set/data' '$dest' 2>'$TMP/err'; echo \$? >'$TMP/tui.rc'"
		while [[ ! -f "$TMP/tui.rc" ]]; do sleep 0.05; done
		tmux kill-session -t s3link-bench 2>/dev/null || true
		[[ $(cat "$TMP/tui.rc") == 0 ]] || { log "FAILED: s3link sync with the screen"; tail -20 "$TMP/err" >&2; exit 1; }
		tail -1 "$TMP/time" >"$TMP/time.last"
		mv "$TMP/time.last" "$TMP/time"
		return ;;
	esac
	if ! /usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "${cmd[@]}" >"$TMP/out" 2>"$TMP/err"; then
		log "FAILED: ${cmd[*]}"
		tail -20 "$TMP/err" "$TMP/out" >&2
		exit 1
	fi
	tail -1 "$TMP/time" >"$TMP/time.last"
	mv "$TMP/time.last" "$TMP/time"
}

# verify set dest: same names and sizes as the source, no extra files, and
# the same bytes in every file (SHA-256; the source's sums are computed once).
verify() {
	local src="$DATA/src/$1" dest=$2 sums="$DATA/src/$1.sha256"
	(cd "$src" && find . -type f ! -name .made -printf '%P %s\n' | sort) >"$TMP/want"
	(cd "$dest" && find . -type f -printf '%P %s\n' | sort) >"$TMP/got"
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		log "VERIFY FAILED for $dest: names or sizes differ"
		diff "$TMP/want" "$TMP/got" | head >&2
		exit 1
	fi
	if [[ ! -f $sums ]]; then
		(cd "$src" && find . -type f ! -name .made -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$sums.tmp"
		mv "$sums.tmp" "$sums"
	fi
	if ! (cd "$dest" && sha256sum --quiet --strict -c "$sums" >"$TMP/sumcheck" 2>&1); then
		log "VERIFY FAILED for $dest: content differs"
		head "$TMP/sumcheck" >&2
		exit 1
	fi
}

# settle lets the disk finish the last run's writes and deletions (ext4
# with discard can stall file creation for seconds after a big rm -rf), so
# one tool does not pay for another's cleanup.
settle() { sync; sleep "${BENCH_SETTLE:-3}"; }

# warm reads the server's copy of a data set, so that no tool is the one
# that pulls it off the disk (the first tool of a round used to be).
warm() { find "$VROOT/bench-$1" -type f -exec cat {} + >/dev/null; }

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "NA"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

RES="$TMP/results"
mkdir -p "$RES"
for set in $SETS; do
	load_set "$set"
	tools=$TOOLS
	[[ $set == many ]] && tools="s3link$([[ -n $S3LINK_BEFORE ]] && echo " s3link-before")"
	for run in $(seq "$RUNS"); do
		for tool in $tools; do
			dest="$DATA/dest/$tool"
			rm -rf "$dest"
			mkdir -p "$(dirname "$dest")"
			warm "$set"
			settle
			run_tool "$tool" "$set" "$dest"
			read -r el rss usr sys <"$TMP/time"
			echo "$el" >>"$RES/$set.$tool.full"
			awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }' >>"$RES/$set.$tool.cpu"
			echo "$rss" >>"$RES/$set.$tool.rss"
			if [[ $tool == raw ]]; then
				log "$set run $run: raw GET ${el}s ($(cat "$TMP/out"))"
				continue
			fi
			verify "$set" "$dest"
			if [[ $tool == rawget-write || $tool == s5cmd ]]; then
				# No re-sync to time: rawget writes everything again, and so
				# does s5cmd cp (s5cmd-sync is the one that compares).
				log "$set run $run: $tool ${el}s, peak RSS $((rss / 1024)) MiB"
				rm -rf "$dest"
				continue
			fi
			settle
			run_tool "$tool" "$set" "$dest"
			read -r nel nrss _ <"$TMP/time"
			echo "$nel" >>"$RES/$set.$tool.noop"
			echo "$nrss" >>"$RES/$set.$tool.rss"
			verify "$set" "$dest"
			log "$set run $run: $tool ${el}s, no-op ${nel}s, peak RSS $((rss / 1024)) MiB"
			rm -rf "$dest"
		done
	done
done

# --- table ---------------------------------------------------------------
cell() { [[ -f "$RES/$1" ]] && median <"$RES/$1" || echo NA; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "—"; else printf "%.2f×", a / b }'; }
share() { awk -v c="$1" -v s="$2" 'BEGIN { if (c == "NA" || s == "NA" || s == 0) print "—"; else printf "%.0f%%", 100 * c / s }'; }
# Peers are the other downloaders; s3link's own variants and the raw
# ceilings are not peers.
PEERS="aws rclone rclone-tuned s5cmd s5cmd-sync"
fastest_peer() { # set kind; prints "seconds tool"
	local best=NA who=— v t
	for t in $PEERS; do
		v=$(cell "$1.$t.$2")
		[[ $v == NA ]] && continue
		if [[ $best == NA ]] || awk -v a="$v" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$v who=$t; fi
	done
	echo "$best $who"
}
peak_rss() { [[ -f "$RES/$1.$2.rss" ]] && echo "$(( $(sort -n "$RES/$1.$2.rss" | tail -1) / 1024 )) MiB" || echo —; }
dash() { [[ $1 == NA ]] && echo — || echo "$1"; }
{
	echo "Medians of $RUNS runs, seconds (wall clock, including process start). Peers: aws = aws s3 sync,"
	echo "rclone = rclone copy, rclone-tuned = rclone copy --transfers 16 --checkers 32 --fast-list,"
	echo "s5cmd = s5cmd cp, s5cmd-sync = s5cmd sync. Ceilings: raw GET (bodies discarded), raw GET+write"
	echo "(each body written to its own file; no temporary name, verification or rename). \"vs fastest peer\""
	echo "is the fastest peer's time divided by s3link's (above 1 means s3link is faster)."
	echo
	echo "| data set | s3link | s3link-before | aws | rclone | rclone-tuned | s5cmd | s5cmd-sync | fastest peer | s3link vs fastest peer | raw GET | raw GET+write | s3link vs raw GET | s3link vs raw GET+write | s3link peak RSS | peak RSS of the others |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for set in $SETS; do
		for kind in full noop; do
			name=$set
			[[ $kind == noop ]] && name="$set, no-op re-sync"
			raw=NA rw=NA
			if [[ $kind == full ]]; then raw=$(cell "$set.raw.full") rw=$(cell "$set.rawget-write.full"); fi
			s=$(cell "$set.s3link.$kind")
			read -r peer who < <(fastest_peer "$set" "$kind")
			others=""
			for t in $PEERS rawget-write; do
				[[ -f "$RES/$set.$t.rss" ]] && others="$others${others:+, }$t $(peak_rss "$set" "$t")"
			done
			row="| $name | $(dash "$s") | $(dash "$(cell "$set.s3link-before.$kind")")"
			for t in $PEERS; do row="$row | $(dash "$(cell "$set.$t.$kind")")"; done
			row="$row | $who | $(ratio "$peer" "$s") | $(dash "$raw") | $(dash "$rw") | $(share "$raw" "$s") | $(share "$rw" "$s") | $(peak_rss "$set" s3link) | ${others:-—} |"
			echo "$row"
		done
	done
	for t in $TOOLS; do
		[[ $t == s3link-c[0-9]* ]] || continue
		echo
		for set in $SETS; do
			echo "$t (--concurrency ${t#s3link-c}) on $set: $(dash "$(cell "$set.$t.full")") s, no-op $(dash "$(cell "$set.$t.noop")") s, peak RSS $(peak_rss "$set" "$t"); s3link at its default: $(dash "$(cell "$set.s3link.full")") s."
		done
	done
	for set in $SETS; do
		[[ -f "$RES/$set.s3link-tui.full" && -f "$RES/$set.s3link.full" ]] || continue
		tui=$(cell "$set.s3link-tui.full")
		plain=$(cell "$set.s3link.full")
		echo
		tuicpu=$(cell "$set.s3link-tui.cpu")
		plaincpu=$(cell "$set.s3link.cpu")
		echo "Live screen on $set: $tui s with the screen in a 100x30 tmux pane against $plain s with --no-tui ($(awk -v a="$tui" -v b="$plain" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }')); CPU (user+system) $tuicpu s against $plaincpu s ($(awk -v a="$tuicpu" -v b="$plaincpu" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }'))."
	done
	echo
	echo "Machine: $(nproc) cores, $(uname -sr); server: versitygw v1.8.0 posix on 127.0.0.1; $(aws --version 2>&1 | cut -d' ' -f1); rclone v1.76.0$([[ -x "$BIN/s5cmd" ]] && echo "; s5cmd $("$BIN/s5cmd" version 2>/dev/null | head -1) (built from v2.3.0)")."
} | tee "$DATA/last-results.md"
