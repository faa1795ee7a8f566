#!/usr/bin/env bash
# Time `s3link upload` against `aws s3 cp --recursive` and `rclone copy` on
# an S3 endpoint. The simplest way is through bench/run.sh, which starts a
# local versitygw and hands it over:
#
#   BENCH_CMD=bench/upload.sh bench/run.sh
#
# or against any endpoint you already run:
#
#   BENCH_ENDPOINT=http://127.0.0.1:7070 AWS_ACCESS_KEY_ID=... \
#     AWS_SECRET_ACCESS_KEY=... bench/upload.sh
#
# Environment:
#   BENCH_ENDPOINT  S3 endpoint URL (required); credentials come from the
#                   usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
#   BENCH_SETS      "small large" by default: small = 5,000 x 32 KiB,
#                   large = 4 x 512 MiB (same seeds as bench/run.sh)
#   BENCH_RUNS      repetitions; the table shows medians (default 3)
#   BENCH_S3LINK_FLAGS  extra flags for s3link upload, e.g. "--concurrency 32"
#   BENCH_DATA      where data sets live (default bench/.data, shared with run.sh)
#
# Each run uploads into a fresh bucket, so every tool sends every byte.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN="$HERE/.bin"
DATA="${BENCH_DATA:-$HERE/.data}"
RUNS="${BENCH_RUNS:-3}"
SETS=$(echo "${BENCH_SETS:-small large}" | tr ',' ' ')
S3LINK_FLAGS="${BENCH_S3LINK_FLAGS:-}"
URL="${BENCH_ENDPOINT:?set BENCH_ENDPOINT to the S3 endpoint URL}"
: "${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}" "${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}"
export AWS_REGION="${AWS_REGION:-us-east-1}" AWS_DEFAULT_REGION="${AWS_REGION:-us-east-1}"
export AWS_EC2_METADATA_DISABLED=true

log() { printf '%s\n' "$*" >&2; }

mkdir -p "$BIN" "$DATA"
export GOBIN="$BIN"
RCLONE=$(command -v rclone || true)
if [[ -z $RCLONE ]]; then
	[[ -x "$BIN/rclone" ]] || { log "installing rclone v1.76.0 into $BIN"; go install github.com/rclone/rclone@v1.76.0; }
	RCLONE="$BIN/rclone"
fi
command -v aws >/dev/null || { log "the AWS CLI is not on PATH"; exit 1; }
log "building s3link and mkdata"
(cd "$ROOT" && go build -o "$BIN/s3link" . && go build -o "$BIN/mkdata" ./bench/mkdata)

export RCLONE_CONFIG=/dev/null
export RCLONE_CONFIG_UP_TYPE=s3 RCLONE_CONFIG_UP_PROVIDER=Other
export RCLONE_CONFIG_UP_ENDPOINT="$URL" RCLONE_CONFIG_UP_FORCE_PATH_STYLE=true
export RCLONE_CONFIG_UP_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_UP_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
export RCLONE_CONFIG_UP_REGION="$AWS_REGION"

make_set() { # set
	local set=$1 src="$DATA/src/$1"
	[[ -f "$src/.made" ]] && return
	rm -rf "$src"
	log "making data set $set"
	case $set in
	small) "$BIN/mkdata" -dir "$src" -n 5000 -min 32768 -max 32768 -seed 1 ;;
	large) "$BIN/mkdata" -dir "$src" -n 4 -min $((512 << 20)) -max $((512 << 20)) -seed 2 ;;
	*) log "unknown data set $set"; exit 2 ;;
	esac
	touch "$src/.made"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# time_tool tool src bucket: prints elapsed seconds.
time_tool() {
	local tool=$1 src=$2 bucket=$3
	local -a cmd
	case $tool in
	s3link)
		# --all: mkdata's files are not media.
		# shellcheck disable=SC2206
		cmd=("$BIN/s3link" upload --no-tui --all --exclude .made --endpoint-url "$URL" $S3LINK_FLAGS "$src" "s3://$bucket/data") ;;
	aws) cmd=(aws --endpoint-url "$URL" s3 cp --recursive --only-show-errors --exclude .made "$src" "s3://$bucket/data/") ;;
	rclone) cmd=("$RCLONE" copy --exclude .made "$src" "up:$bucket/data") ;;
	esac
	aws --endpoint-url "$URL" s3 mb "s3://$bucket" >/dev/null
	sync
	local start end
	start=$(date +%s.%N)
	if ! "${cmd[@]}" >"$TMP/out" 2>"$TMP/err"; then
		log "FAILED: ${cmd[*]}"
		tail -20 "$TMP/err" "$TMP/out" >&2
		exit 1
	fi
	end=$(date +%s.%N)
	local want got
	# Names and sizes must match the source exactly (the CLI's listing
	# paginates, so count from its text listing, not a per-page query).
	want=$(cd "$src" && find . -type f ! -name .made -printf '%P %s\n' | sort)
	got=$(aws --endpoint-url "$URL" s3 ls --recursive "s3://$bucket/" | awk '{ print substr($0, index($0, $4)) " " $3 }' | sed 's|^data/||' | sort)
	[[ $want == "$got" ]] || { log "VERIFY FAILED: $tool uploaded $(wc -l <<<"$got") of $(wc -l <<<"$want") files, or sizes differ"; exit 1; }
	aws --endpoint-url "$URL" s3 rb --force "s3://$bucket" >/dev/null
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "NA"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

for set in $SETS; do
	make_set "$set"
	for run in $(seq "$RUNS"); do
		for tool in s3link aws rclone; do
			el=$(time_tool "$tool" "$DATA/src/$set" "upbench-$set-$tool-$run-$$")
			echo "$el" >>"$TMP/$set.$tool"
			log "$set run $run: $tool ${el}s"
		done
	done
done

echo "Upload medians of $RUNS runs, seconds (wall clock, including process start)."
echo
echo "| data set | s3link upload | aws s3 cp --recursive | rclone copy |"
echo "|---|---|---|---|"
for set in $SETS; do
	echo "| $set | $(median <"$TMP/$set.s3link") | $(median <"$TMP/$set.aws") | $(median <"$TMP/$set.rclone") |"
done
