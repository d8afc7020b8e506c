#!/usr/bin/env bash
# Runs the Slurm recipe of docs/distributed.md, as the doc states it, on a real
# one-node Slurm cluster on localhost, and checks that it gives a single run's
# bits and that its recovery recovers.
#
#   Scripts/slurm-check.sh
#
# As root. Installs Debian's slurm-wlm and munge if they are missing; starts
# its own munged (own key and socket), slurmctld and slurmd (proctrack/linuxproc,
# task/none, select/cons_tres, the node's CPUs from `slurmd -C`, free ports,
# all state under one temporary directory); extracts the blocks marked
# `<!-- slurm-check: NAME -->` from docs/distributed.md; runs them for N = 4
# and N = 7 on a dump from `mapk generate`; compares each result.json with
# `mapk eval` over all rows; then hangs one task of a new N = 7 run, cancels
# it, checks that the merge names the missing shard and writes no result, runs
# the doc's recovery line and compares again; and runs the GNU parallel line
# (installing Debian's parallel if missing). On every exit it cancels the
# cluster's jobs and stops the daemons it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
doc=$root/docs/distributed.md

say() { echo "slurm-check: $*"; }
die() {
  echo "slurm-check: FAILED: $*" >&2
  exit 1
}

# --- Packages ---------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (it installs packages and runs slurmd as root)"
need=()
for command in slurmctld slurmd sbatch; do
  command -v "$command" >/dev/null || { need=(slurm-wlm); break; }
done
command -v munged >/dev/null || need+=(munge)
command -v parallel >/dev/null || need+=(parallel)   # for the doc's GNU parallel line
if ((${#need[@]})); then
  say "installing ${need[*]}"
  # No service may start during the install: this script starts its own daemons.
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

# --- mapk -------------------------------------------------------------------
swift build --product mapk >/dev/null
bin=$(swift build --show-bin-path)
[ -x "$bin/mapk" ] || die "no mapk in $bin"

# --- The cluster ------------------------------------------------------------
work=$(mktemp -d /tmp/mapk-slurm-check.XXXXXX)
chmod 755 "$work"
pids=()          # the daemons this script started, in start order
cluster_up=

cleanup() {
  local status=$?
  set +e
  if [ -n "$cluster_up" ]; then
    # Jobs first, so that no job step outlives its slurmd.
    scancel --quiet --full --partition=check 2>/dev/null
    for _ in $(seq 1 30); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 1
    done
  fi
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "${pids[i]}" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "${pids[i]}" 2>/dev/null
    wait "${pids[i]}" 2>/dev/null
  done
  if [ "$status" != 0 ]; then
    for log in "$work"/slurmctld.log "$work"/slurmd.log "$work"/munge/log; do
      [ -f "$log" ] && { echo "--- $log (end)"; tail -n 25 "$log"; }
    done
    for log in "$work"/run-*/logs/*; do
      [ -f "$log" ] && { echo "--- $log"; cat "$log"; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ports nobody on this host uses (listening or connected), as the kernel lists them.
used_ports=$(tail -q -n +2 /proc/net/tcp /proc/net/tcp6 2>/dev/null |
  while read -r _ local _; do echo $((16#${local##*:})); done | sort -u)
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    grep -qx "$p" <<<"$used_ports" || { used_ports+=$'\n'$p; echo "$p"; return; }
  done
}

# munge: a fresh key and a private socket.
mkdir -m 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/key" bs=1024 count=1 status=none
chmod 400 "$work/munge/key"
socket=$work/munge/socket
munged --foreground --force --key-file="$work/munge/key" --socket="$socket" \
  --pid-file="$work/munge/pid" --log-file="$work/munge/log" --seed-file="$work/munge/seed" >"$work/munge/out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1 && break
  sleep 0.2
done
munge -n -S "$socket" | unmunge -S "$socket" >/dev/null || die "munged did not start"

host=$(hostname -s)
node=$(slurmd -C 2>/dev/null | head -n 1)
[[ $node == NodeName=* ]] || die "slurmd -C printed '$node'"
node="NodeName=$host ${node#NodeName=* } NodeAddr=127.0.0.1 State=UNKNOWN"
mkdir -p "$work/ctld" "$work/spool"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=mapkcheck
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
$node
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
cluster_up=1
for _ in $(seq 1 100); do
  scontrol ping 2>/dev/null | grep -q UP && break
  sleep 0.2
done
scontrol ping | grep -q UP || die "slurmctld did not start"
slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 0.2
done
[ "$(sinfo -h -o %T)" = idle ] || die "the node is not idle: $(sinfo -h -o '%T %E')"
say "cluster up: $node"

# --- The recipe, from the doc ----------------------------------------------
# The fenced block after `<!-- slurm-check: NAME -->`.
extract() {
  awk -v marker="<!-- slurm-check: $1 -->" '
    $0 == marker { state = 1; next }
    state == 1 && /^```/ { state = 2; next }
    state == 2 && /^```$/ { exit }
    state == 2 { print }' "$doc"
}
# Replaces the one occurrence of $2 in file $1 by $3; fails if there is not exactly one.
replace_once() {
  local text count
  text=$(<"$1")
  count=$(grep -oF -- "$2" "$1" | wc -l || true)
  [ "$count" = 1 ] || die "$(basename "$1"): '$2' occurs $count times in the doc's block, not once"
  printf '%s\n' "${text/"$2"/"$3"}" >"$1"
}
for name in submit.sh shards.sbatch merge.sbatch recover parallel; do
  extract "$name" >"$work/$name"
  [ -s "$work/$name" ] || die "no block marked 'slurm-check: $name' in docs/distributed.md"
done
recover_line=$(<"$work/recover")

# The dump, and the single run the merges must equal.
mkdir "$work/data"
"$bin/mapk" generate --rows 30000 --classes 200 --labels-per-row 5 --out "$work/data/d" --no-progress >/dev/null
ks=$(grep -o 'KS=[^ ]*' "$work/submit.sh" | head -n 1 | cut -d= -f2)
[ -n "$ks" ] || die "no KS= in submit.sh"
"$bin/mapk" eval --predictions "$work/data/d.pred.npy" --labels "$work/data/d.labels.npy" -k "$ks" --json \
  --no-progress >"$work/single.json"

# What must be bit-identical: the rows, classes, counts, bytes and every k's
# map, total and max (printed in shortest round-trip form: equal text, equal bits).
exact_fields() {
  grep -o -e '"rows": [0-9]*' -e '"classes": [0-9]*' -e '"empty_rows": [0-9]*' -e '"nan_scores": [0-9]*' \
    -e '"bytes": [0-9]*' -e '"results": \[[^]]*\]' "$1"
}
expect_single() {
  [ -f "$1" ] || die "$1 was not written"
  diff <(exact_fields "$work/single.json") <(exact_fields "$1") >/dev/null ||
    die "$1 differs from the single run: $(cat "$1") vs $(cat "$work/single.json")"
}

# mapk on the nodes' PATH (the jobs inherit it), behind a wrapper that can hang
# one shard on demand (the failure injected below).
mkdir "$work/path"
cat >"$work/path/mapk" <<EOF
#!/bin/bash
if [ -e "$work/hang" ] && [[ " \$* " == *" --shard \$(cat "$work/hang") "* ]]; then sleep 600; fi
exec "$bin/mapk" "\$@"
EOF
chmod 755 "$work/path/mapk"
export PATH=$work/path:$PATH

# A submit directory holding the doc's three files for N = $2.
prepare() {
  local dir=$1 n=$2
  mkdir -p "$dir"
  cp "$work/submit.sh" "$work/shards.sbatch" "$work/merge.sbatch" "$dir/"
  replace_once "$dir/submit.sh" "N=16 " "N=$n "
  replace_once "$dir/submit.sh" "/data/p.npy" "$work/data/d.pred.npy"
  replace_once "$dir/submit.sh" "/data/l.npy" "$work/data/d.labels.npy"
  replace_once "$dir/shards.sbatch" "--cpus-per-task=8" "--cpus-per-task=1"
}
wait_for_jobs() {
  for _ in $(seq 1 600); do
    [ -z "$(squeue -h -o %i)" ] && return
    sleep 0.5
  done
  die "jobs still queued after 300 s: $(squeue -h -o '%i %T %r')"
}

for n in 4 7; do
  dir=$work/run-$n
  prepare "$dir" "$n"
  (cd "$dir" && bash submit.sh) || die "submit.sh failed for N = $n"
  wait_for_jobs
  expect_single "$dir/result.json"
  [ "$(ls "$dir/states" | wc -l)" = "$n" ] || die "N = $n: $(ls "$dir/states")"
  say "N = $n: merged result.json has the single run's bits"
done

# A task that hangs and is cancelled; the merge runs anyway (afterany), names
# it and writes nothing; the recovery line reruns just it.
n=7
dir=$work/run-fail
prepare "$dir" "$n"
echo "3/$n" >"$work/hang"
(cd "$dir" && bash submit.sh) || die "submit.sh failed"
for _ in $(seq 1 240); do
  task=$(squeue -h -r -n mapk-shards -t RUNNING -o '%i' | grep '_3$' || true)
  [ -n "$task" ] && break
  sleep 0.5
done
[ -n "$task" ] || die "task 3 never ran"
scancel "$task"
wait_for_jobs
[ ! -e "$dir/result.json" ] || die "a merge with a shard missing wrote result.json"
grep -q "missing shard 3/$n" "$dir"/logs/merge-*.out || die "the merge did not name shard 3/$n: $(cat "$dir"/logs/merge-*.out)"
say "cancelled task 3: the merge ran and said: $(cat "$dir"/logs/merge-*.out)"
rm "$work/hang"
(cd "$dir" && eval "$recover_line") | tee "$work/recover.out" || die "the recovery line failed"
grep -q "^shards 3: " "$work/recover.out" || die "the recovery did not resubmit just shard 3"
wait_for_jobs
expect_single "$dir/result.json"
[ "$(cd "$dir" && eval "$recover_line")" = "no shard is missing" ] || die "the recovery still finds shards missing"
say "recovery ('$recover_line') gave the single run's bits"

# The GNU parallel line, as written (N = 12: two-digit indices), in a directory
# holding the dump as p.npy and l.npy.
dir=$work/run-parallel
mkdir "$dir"
ln -s "$work/data/d.pred.npy" "$dir/p.npy"
ln -s "$work/data/d.labels.npy" "$dir/l.npy"
(cd "$dir" && bash -c "$(<"$work/parallel")" </dev/null >/dev/null 2>"$work/parallel.err") ||
  die "the GNU parallel line failed: $(cat "$work/parallel.err")"
single=$("$bin/mapk" eval --predictions "$dir/p.npy" --labels "$dir/l.npy" -k 10 --no-progress | grep -o 'MAP@10 = [^ ]*')
[ "$(grep -o 'MAP@10 = [^ ]*' "$dir/result.txt")" = "$single" ] ||
  die "GNU parallel: $(cat "$dir/result.txt") vs the single run's $single"
say "GNU parallel line (N = 12): result.txt has the single run's $single"
say "passed"
