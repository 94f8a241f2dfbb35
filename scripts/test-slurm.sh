#!/usr/bin/env bash
# The Slurm launcher on a real single-node cluster: installs Debian's slurm-wlm and munge, starts munged,
# slurmctld and slurmd on this machine (configured here, everything under a temporary folder), submits a small
# study with `sparserl sweep --launcher slurm`, scancels one task mid-run and requeues another, submits again, and
# checks that every run finished with the same files as the local launcher gives. Fails loudly when the cluster
# cannot be started. The daemons are stopped by their pids on exit.
# Usage: scripts/test-slurm.sh [path/to/sparserl]   (default: .build/release/sparserl; build with -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sparserl=$(realpath "${1:-.build/release/sparserl}")
fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }
[ -x "$sparserl" ] || fail "no sparserl executable at $sparserl (swift build -c release)"
[ "$(id -u)" -eq 0 ] || fail "must run as root (it installs and starts slurm and munge)"

if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends slurm-wlm munge > /dev/null 2>&1 \
    || { apt-get update > /dev/null && apt-get install -y --no-install-recommends slurm-wlm munge > /dev/null; } \
    || fail "cannot apt-get install slurm-wlm munge"
fi

work=$(mktemp -d /tmp/sparserl-slurm.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2> /dev/null || true; done
  if [ "${keep:-0}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
started=$(date +%s)

# munge, with its key, socket and logs in the work folder.
mkdir -p "$work/munge" "$work/state" "$work/spool"
chmod 700 "$work/munge"
mungekey --create --keyfile="$work/munge/munge.key" > /dev/null 2>&1 \
  || dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 2> /dev/null
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munge.seed" \
  || fail "munged did not start: $(cat "$work/munge/munged.log" 2> /dev/null)"
sleep 0.5
pids+=("$(cat "$work/munge/munged.pid")")

host=$(hostname -s)
node=$(slurmd -C | head -1 | sed -e 's/ UpTime=.*//')
[[ "$node" == NodeName=* ]] || fail "slurmd -C gave no node line: $node"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" << CONF
ClusterName=sparserl-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=${SPARSERL_SLURMCTLD_PORT:-6817}
SlurmdPort=${SPARSERL_SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
KillWait=30
MinJobAge=30
$node State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -5 "$work/slurmctld.log" 2> /dev/null)"
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/slurmctld.pid")")
slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -5 "$work/slurmd.log" 2> /dev/null)"
for _ in $(seq 50); do [ -s "$work/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 60); do
  state=$(sinfo -h -o %T 2> /dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "the node did not come up (sinfo: '$state'); slurmctld log: $(tail -5 "$work/slurmctld.log")"
echo "test-slurm: cluster up ($node)"

# A study of four short runs (DQN on CartPole), long enough to be cancelled mid-run.
cat > "$work/small.yaml" << 'YAML'
agent: dqn
environment: CartPole-v1
total_steps: 20000
evaluation_interval: 4000
evaluation_episodes: 2
checkpoint_interval: 500
dqn:
  network: {hidden_sizes: [32, 32]}
  batch_size: 32
  learning_starts: 500
  buffer_size: 5000
  target_update_interval: 200
  log_interval: 500
YAML
cat > "$work/study.yaml" << 'YAML'
name: slurm-test
base: [small.yaml]
seeds: 2
axes:
  method:
    - {name: static, set: {dqn.sparsity.method: static, dqn.sparsity.sparsity: 0.8}}
    - {name: rigl, set: {dqn.sparsity.method: rigl, dqn.sparsity.sparsity: 0.8, dqn.sparsity.update_interval: 500}}
slurm: {time: "00:30:00", signal_seconds: 60}
YAML
names=(method-static_seed-0 method-static_seed-1 method-rigl_seed-0 method-rigl_seed-1)

"$sparserl" sweep "$work/study.yaml" --dir "$work/local" --jobs 2 > "$work/local.out" 2>&1 \
  || fail "the local sweep failed: $(cat "$work/local.out")"

out="$work/slurm"
"$sparserl" sweep "$work/study.yaml" --dir "$out" --launcher slurm --max-concurrent 2 > "$work/submit.out" 2>&1 \
  || fail "submitting failed: $(cat "$work/submit.out")"
job=$(sed -n 's/^submitted job array \([0-9]*\) .*/\1/p' "$work/submit.out")
[ -n "$job" ] || fail "no job id in: $(cat "$work/submit.out")"
grep -q -- "--array=0-3%2" "$out"/sweep/slurm/array-*.sh || fail "the script has no job array line"
echo "test-slurm: job array $job submitted"

has_checkpoint() { ls "$out/$1/checkpoints/"*.srl > /dev/null 2>&1; }
wait_running_with_checkpoint() { # task name
  for _ in $(seq 600); do
    if squeue -h -r -j "$job" -o "%K %T" | grep -q "^$1 RUNNING" && has_checkpoint "${names[$1]}"; then return 0; fi
    sleep 0.1
  done
  fail "task $1 never ran to a checkpoint: $(squeue -r -j "$job")"
}
# Task 0: cancelled mid-run (SIGTERM: it checkpoints and stops). Task 1: requeued mid-run (resumes by itself).
wait_running_with_checkpoint 0
scancel "${job}_0"
wait_running_with_checkpoint 1
scontrol requeue "${job}_1"
echo "test-slurm: cancelled ${job}_0, requeued ${job}_1"
for _ in $(seq 900); do
  [ -z "$(squeue -h -r -j "$job" 2> /dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -r -j "$job")" ] || fail "the array did not finish: $(squeue -r -j "$job")"
"$sparserl" sweep status "$out" > "$work/status1.out" || true
grep -q "^${names[0]} .*interrupted" "$work/status1.out" || fail "the cancelled run is not interrupted: $(cat "$work/status1.out")"
grep -q "^${names[1]} .*finished" "$work/status1.out" || fail "the requeued run did not finish: $(cat "$work/status1.out")"
[ "$(grep -c '^== task' "$out/sweep/logs/${names[1]}.log")" -ge 2 ] || fail "the requeued task did not run twice"
grep -q "restart 1" "$out/sweep/logs/${names[1]}.log" || fail "no restart recorded for the requeued task"

# Submitting again runs only what is left (the cancelled run) and resumes it.
"$sparserl" sweep "$out" --launcher slurm --wait > "$work/resubmit.out" 2>&1 \
  || fail "resubmitting failed: $(cat "$work/resubmit.out")"
grep -q "1 to run" "$work/resubmit.out" || fail "resubmission should have one run to do: $(cat "$work/resubmit.out")"
"$sparserl" sweep status "$out" > "$work/status2.out"
grep -q "4 finished" "$work/status2.out" || fail "not every run finished: $(cat "$work/status2.out")"
grep -q "resum" "$out/sweep/logs/${names[0]}.log" || fail "the cancelled run was not resumed"

for name in "${names[@]}"; do
  # config.yaml's comment header names the study folder the run was made in; the configuration must be equal.
  cmp -s <(grep -v '^#' "$work/local/$name/config.yaml") <(grep -v '^#' "$out/$name/config.yaml") \
    || fail "$name/config.yaml differs from the local launcher's"
  for file in train.csv episodes.csv eval.csv policy.srl; do
    cmp -s "$work/local/$name/$file" "$out/$name/$file" || fail "$name/$file differs from the local launcher's"
  done
done
echo "test-slurm: OK — 4 runs identical to the local launcher's after a scancel and a requeue ($(($(date +%s) - started)) s)"
