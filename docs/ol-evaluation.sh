#!/usr/bin/env bash
# Online-learning evaluation on pv-greensboro: a mosquitto on a free loopback port, `mledger run
# --dev` with one `--ol` service reading `mqtt://`, the hourly series replayed by `mledger simulate`
# (one-second three-phase readings, 600 a message, QoS 1), then `mledger ol report` on the live
# node's files → docs/ol-greensboro.png and docs/ol-greensboro.json.
#
#   docs/ol-evaluation.sh [MLEDGER_BIN] [HOURS] [SPEEDUP]
#
# Defaults (the run in README): .build/release/mledger, the whole year (8,760 hours), speedup
# 720000 — faster than the simulator can publish (about 59,000–70,000 readings/s on 2 loaded
# cores), so it publishes as fast as it can: 31.5 M readings in about 7.5 minutes, about 15
# minutes until the last training step ends. Nothing is dropped when the service falls behind (QoS 1); the
# script waits until every hour is ingested and training is idle.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/mledger}
HOURS=${2:-8760}
SPEEDUP=${3:-720000}
SERIES=../shared/datasets/pv-greensboro-hourly.csv
[ -x "$BIN" ] || { echo "no mledger binary at $BIN" >&2; exit 1; }
[ -f "$SERIES" ] || { echo "dataset missing: $SERIES" >&2; exit 1; }
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[ -x "$MOSQUITTO" ] || { echo "mosquitto missing (tools/setup installs it)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/mledger-ol-eval.XXXXXX)
NODE_PID= BROKER_PID=
cleanup() {
    [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null || true
    [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nuser %s\n' "$PORT" "$(id -un)" > "$WORK/mosquitto.conf"
"$MOSQUITTO" -c "$WORK/mosquitto.conf" > "$WORK/mosquitto.log" 2>&1 &
BROKER_PID=$!

SOURCE="mqtt://127.0.0.1:$PORT/greensboro/readings?qos=1&client_id=ol-eval&clean=false"
cat > "$WORK/service.json" <<EOF
{"name": "pv-greensboro", "model": "energy-gru", "sources": ["$SOURCE"],
 "organization_id": "eval", "developer_id": "dev-1",
 "transformer": {"lateness_seconds": 0}, "batch": {"hours": 168},
 "snapshot": {"min_relative_improvement": 0.01, "min_interval_seconds": 0},
 "training": {"seed": 42, "epochs_per_step": 1, "max_batches_per_step": 64, "validation_fraction": 0.1}}
EOF
"$BIN" run --dev --rpc-addr 127.0.0.1:0 --api-addr 127.0.0.1:0 --ol "$WORK/service.json" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
API= DATADIR=
for _ in $(seq 1 600); do
    API=$(grep -o 'REST API listening on http://127.0.0.1:[0-9]*' "$WORK/node.log" | head -1 | sed 's/.* on //' || true)
    DATADIR=$(grep -o 'development chain in [^ ]*' "$WORK/node.log" | head -1 | sed 's/.* in //' || true)
    [ -n "$API" ] && [ -n "$DATADIR" ] && break
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$API" ] || { echo "node did not start" >&2; cat "$WORK/node.log" >&2; exit 1; }
status() { curl -sf "$API/ol/pv-greensboro"; }
# The service subscribes as it starts; wait until its persistent session exists before publishing.
for _ in $(seq 1 100); do grep -q "ol-eval" "$WORK/mosquitto.log" 2>/dev/null && break; sleep 0.1; done
sleep 1

echo "replaying $HOURS hours of $SERIES at speedup $SPEEDUP into $SOURCE" >&2
START=$(date +%s)
"$BIN" simulate --series "$SERIES" --speedup "$SPEEDUP" --hours "$HOURS" --batch 600 \
    --mqtt "mqtt://127.0.0.1:$PORT/greensboro/readings?qos=1" > /dev/null
PUBLISHED=$(date +%s)
# Every hour but the last closes (nothing newer passes its end); then training must be idle.
while true; do
    S=$(status)
    CLOSED=$(jq .hours_closed <<< "$S")
    TRAINING=$(jq .training <<< "$S")
    [ "$CLOSED" -ge $((HOURS - 1)) ] && [ "$TRAINING" = false ] && break
    kill -0 "$NODE_PID" 2>/dev/null || { tail -50 "$WORK/node.log" >&2; exit 1; }
    sleep 1
done
DONE=$(date +%s)
jq '{readings_accepted, hours_closed, gap_hours, training_steps, best_validation_mse, snapshots: (.snapshots | length)}' <<< "$S" >&2
echo "published in $((PUBLISHED - START)) s, ingested and trained in $((DONE - START)) s" >&2

"$BIN" ol report --datadir "$DATADIR" --name pv-greensboro --out docs/ol-greensboro.png --hours 168
"$BIN" ol report --datadir "$DATADIR" --name pv-greensboro --out docs/ol-greensboro.png --hours 168 --json \
    | jq --argjson hours "$HOURS" --argjson speedup "$SPEEDUP" --argjson seconds "$((DONE - START))" \
         --argjson service_status "$(jq '{readings_accepted, hours_closed, training_steps}' <<< "$S")" \
         '. + {replay: {hours: $hours, speedup: $speedup, seconds: $seconds}, service_status: $service_status}' > docs/ol-greensboro.json
echo "wrote docs/ol-greensboro.png and docs/ol-greensboro.json" >&2
