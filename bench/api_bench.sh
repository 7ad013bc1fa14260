#!/usr/bin/env bash
# API throughput vs nginx: the daemon (test:///default, 100 VMs) and nginx serving the very same
# bytes, loaded by wrk on loopback, interleaved (ours, nginx, ours, nginx) to share the noise.
#
# Usage: bench/api_bench.sh  (env: NOVACRON_BIN, WRK_THREADS=2, WRK_CONNECTIONS=32,
#        WRK_DURATION=5s, ROUNDS=2, VMS=100)
set -euo pipefail
cd "$(dirname "$0")/.."

NOVACRON_BIN=${NOVACRON_BIN:-./build/src/cli/novacron}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-5s}
ROUNDS=${ROUNDS:-2}
VMS=${VMS:-100}

for tool in wrk nginx curl python3; do
  if ! command -v "$tool" > /dev/null; then
    echo "api_bench: $tool not found (scripts/setup.sh --bench installs the bench tools); skipped"
    exit 0
  fi
done
if [[ ! -x "$NOVACRON_BIN" ]]; then
  echo "api_bench: $NOVACRON_BIN not built" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/novacron-apibench.XXXXXX")
daemon_pid=""
nginx_pid=""

stop_process() {  # pid, seconds to wait after SIGTERM/SIGQUIT before SIGKILL
  local pid=$1 signal=$2 wait_s=$3
  [[ -n "$pid" ]] && kill -0 "$pid" 2> /dev/null || return 0
  kill "-$signal" "$pid" 2> /dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

cleanup() {
  stop_process "$nginx_pid" QUIT 5
  stop_process "$daemon_pid" TERM 15
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the daemon -------------------------------------------------------------------------------
# Rate limiting is off (api.rate_limit = 1000/min per client would answer wrk with 429s); the
# data-plane listener gets an ephemeral port so parallel runs do not collide on 9090; the test
# driver's host has 16 CPUs, so 100 one-vCPU VMs need more than the default 4x overcommit.
NOVACRON_VM_HYPERVISOR_URI=test:///default \
  NOVACRON_VM_CPU_OVERCOMMIT_PERCENT=1000 \
  NOVACRON_SYSTEM_LOG_FORMAT=json \
  NOVACRON_API_RATE_LIMIT=0 \
  NOVACRON_NETWORK_BIND_PORT=0 \
  "$NOVACRON_BIN" run --data-dir "$tmp/data" --listen 127.0.0.1:0 --log-level warn \
  > "$tmp/daemon.out" 2> "$tmp/daemon.log" &
daemon_pid=$!

ours=""
for ((i = 0; i < 300; i++)); do
  if [[ -z "$ours" && -s "$tmp/data/api.addr" ]]; then ours=$(head -n1 "$tmp/data/api.addr"); fi
  if [[ -n "$ours" ]] && curl -sf -o /dev/null "http://$ours/health/ready"; then break; fi
  if ! kill -0 "$daemon_pid" 2> /dev/null; then
    echo "api_bench: the daemon exited:" >&2
    tail -n 20 "$tmp/daemon.log" >&2
    exit 1
  fi
  sleep 0.1
done
if ! curl -sf -o /dev/null "http://$ours/health/ready"; then
  echo "api_bench: the daemon is not ready after 30 s" >&2
  tail -n 20 "$tmp/daemon.log" >&2
  exit 1
fi

for ((i = 1; i <= VMS; i++)); do
  code=$(curl -s -o "$tmp/create.out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-$i\",\"memory_mib\":16,\"vcpus\":1}" "http://$ours/api/v1/vms")
  if [[ "$code" != 201 ]]; then
    echo "api_bench: creating bench-$i answered $code: $(cat "$tmp/create.out")" >&2
    exit 1
  fi
done

mkdir -p "$tmp/www" "$tmp/nginx"
list_path="/api/v1/vms?limit=$VMS"
curl -sf -o "$tmp/www/vms.json" "http://$ours$list_path"
curl -sf -o "$tmp/www/live.json" "http://$ours/health/live"
items=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["items"]))' \
  "$tmp/www/vms.json")
if [[ "$items" != "$VMS" ]]; then
  echo "api_bench: the list holds $items VMs, expected $VMS" >&2
  exit 1
fi

# --- nginx serving exactly those bytes ---------------------------------------------------------
nginx_port=$(free_port)
user_line=""
if [[ $(id -u) == 0 ]]; then user_line="user root;"; fi
cat > "$tmp/nginx/nginx.conf" << EOF
daemon off;
master_process on;
worker_processes 2;
$user_line
error_log $tmp/nginx/error.log;
pid $tmp/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  types { }
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /api/v1/vms { alias $tmp/www/vms.json; }
    location = /health/live { alias $tmp/www/live.json; }
  }
}
EOF
nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
for ((i = 0; i < 100; i++)); do
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/health/live" && break
  sleep 0.05
done
for target in "$list_path:vms.json" "/health/live:live.json"; do
  if ! curl -sf "http://127.0.0.1:$nginx_port${target%%:*}" | cmp -s - "$tmp/www/${target##*:}"; then
    echo "api_bench: nginx does not serve the same bytes for ${target%%:*}" >&2
    cat "$tmp/nginx/error.log" >&2
    exit 1
  fi
done

# --- wrk, interleaved --------------------------------------------------------------------------
to_ms() {  # wrk latency ("812.00us", "1.25ms", "1.02s") -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000;
    else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

declare -A rps_sum p99_max errors
run_wrk() {  # key, url
  local key=$1 url=$2 out
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --timeout 2s --latency "$url")
  local rps p99 non2xx sock
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<< "$out")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<< "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<< "$out")
  sock=$(awk '/Socket errors:/ {print $0}' <<< "$out")
  rps_sum[$key]=$(awk -v a="${rps_sum[$key]:-0}" -v b="$rps" 'BEGIN {print a + b}')
  p99_max[$key]=$(awk -v a="${p99_max[$key]:-0}" -v b="$p99" 'BEGIN {print (b > a ? b : a)}')
  if [[ -n "$non2xx" || -n "$sock" ]]; then errors[$key]="${errors[$key]:-} ${non2xx:+non-2xx=$non2xx} $sock"; fi
}

targets=("GET $list_path" "GET /health/live")
goals=(0.5 0.7)
for ((round = 1; round <= ROUNDS; round++)); do
  for t in "${targets[@]}"; do
    path=${t#GET }
    run_wrk "ours $t" "http://$ours$path"
    run_wrk "nginx $t" "http://127.0.0.1:$nginx_port$path"
  done
done

echo "API throughput: novacron vs nginx serving the same bytes (wrk -t$WRK_THREADS" \
  "-c$WRK_CONNECTIONS -d$WRK_DURATION, $ROUNDS interleaved rounds, loopback)"
echo
printf '| %-26s | %-8s | %10s | %9s | %11s | %-16s |\n' target server "requests/s" "p99 ms" \
  "ours/nginx" "goal (issue 3)"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..28})" "$(printf -- '-%.0s' {1..10})" \
  "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..13})" \
  "$(printf -- '-%.0s' {1..18})"
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  ours_rps=$(awk -v s="${rps_sum[ours $t]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", s / n}')
  nginx_rps=$(awk -v s="${rps_sum[nginx $t]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", s / n}')
  ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}')
  verdict=$(awk -v r="$ratio" -v g="${goals[$i]}" 'BEGIN {print (r >= g ? "met" : "not met")}')
  printf '| %-26s | %-8s | %10s | %9.2f | %11s | %-16s |\n' "$t" novacron "$ours_rps" \
    "${p99_max[ours $t]}" "${ratio}x" ">= ${goals[$i]}x: $verdict"
  printf '| %-26s | %-8s | %10s | %9.2f | %11s | %-16s |\n' "" nginx "$nginx_rps" \
    "${p99_max[nginx $t]}" "" ""
done
echo
echo "requests/s: mean over the rounds; p99: the worst round. List body $(wc -c < "$tmp/www/vms.json")" \
  "bytes ($VMS VMs), /health/live $(wc -c < "$tmp/www/live.json") bytes."
echo "Notes: wrk, the daemon and nginx (2 workers) share this machine's $(nproc) CPUs; novacron runs"
echo "with api.rate_limit=0 (the default 1000/min per client would answer most of the load 429)"
echo "and vm.cpu_overcommit_percent=1000 (the test driver's host has 16 CPUs)."
for key in "${!errors[@]}"; do echo "errors in '$key':${errors[$key]}"; done
