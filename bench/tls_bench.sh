#!/usr/bin/env bash
# What security costs: the same route on two daemons in the same run, one plain HTTP without
# auth, one TLS 1.3 + bearer-token auth (the production setup), loaded by wrk on loopback,
# interleaved (plain, tls, plain, tls) to share the noise. Also new TLS handshakes per second
# (openssl s_time, no session reuse). Goal (issue 8): TLS + token >= 0.6 x plain requests/s.
#
# Usage: bench/tls_bench.sh  (env: NOVACRON_BIN, WRK_THREADS=2, WRK_CONNECTIONS=32,
#        WRK_DURATION=5s, ROUNDS=2)
set -euo pipefail
cd "$(dirname "$0")/.."

NOVACRON_BIN=${NOVACRON_BIN:-./build/src/cli/novacron}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-5s}
ROUNDS=${ROUNDS:-2}

for tool in wrk openssl curl; do
  if ! command -v "$tool" > /dev/null; then
    echo "tls_bench: $tool not found (scripts/setup.sh --bench installs the bench tools); skipped"
    exit 0
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/novacron-tlsbench.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2> /dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$NOVACRON_BIN" cert init --dir "$tmp/pki" > /dev/null
token=$("$NOVACRON_BIN" token create --role viewer --name bench --data-dir "$tmp/tls" 2> /dev/null)

start_daemon() {  # name, extra env...
  local name=$1
  shift
  env "$@" NOVACRON_VM_HYPERVISOR_URI=test:///default NOVACRON_API_RATE_LIMIT=0 \
    NOVACRON_NETWORK_BIND_PORT=0 \
    "$NOVACRON_BIN" run --data-dir "$tmp/$name" --listen 127.0.0.1:0 --log-level warn \
    > "$tmp/$name.out" 2> "$tmp/$name.log" &
  pids+=($!)
  for ((i = 0; i < 300; i++)); do
    [[ -s "$tmp/$name/api.addr" ]] && return 0
    sleep 0.1
  done
  echo "tls_bench: daemon $name did not start:" >&2
  tail -n 20 "$tmp/$name.log" >&2
  exit 1
}
start_daemon plain
start_daemon tls NOVACRON_SECURITY_ENABLE_AUTH=true NOVACRON_SECURITY_AUTH_METHOD=token \
  NOVACRON_SECURITY_TLS_CERT_FILE="$tmp/pki/server.crt" \
  NOVACRON_SECURITY_TLS_KEY_FILE="$tmp/pki/server.key"
plain=$(sed 's#^https\?://##' "$tmp/plain/api.addr" | head -n1)
tls=$(sed 's#^https\?://##' "$tmp/tls/api.addr" | head -n1)
route=/api/v1/node
curl -sf -o /dev/null "http://$plain$route"
curl -sf -o /dev/null --cacert "$tmp/pki/ca.crt" -H "Authorization: Bearer $token" \
  "https://$tls$route"
if curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/pki/ca.crt" "https://$tls$route" |
  grep -qv 401; then
  echo "tls_bench: the TLS daemon answers without a token; auth is not on" >&2
  exit 1
fi

declare -A rps_sum errors
run_wrk() {  # key, url, extra wrk args...
  local key=$1 url=$2 out rps bad
  shift 2
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --timeout 2s "$@" "$url")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<< "$out")
  bad=$(awk '/Non-2xx or 3xx responses:|Socket errors:/ {print $0}' <<< "$out")
  rps_sum[$key]=$(awk -v a="${rps_sum[$key]:-0}" -v b="$rps" 'BEGIN {print a + b}')
  if [[ -n "$bad" ]]; then errors[$key]="${errors[$key]:-} $bad"; fi
}
for ((round = 1; round <= ROUNDS; round++)); do
  run_wrk plain "http://$plain$route"
  run_wrk tls "https://$tls$route" -H "Authorization: Bearer $token"
done
plain_rps=$(awk -v s="${rps_sum[plain]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", s / n}')
tls_rps=$(awk -v s="${rps_sum[tls]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", s / n}')
ratio=$(awk -v a="$tls_rps" -v b="$plain_rps" 'BEGIN {printf "%.2f", a / b}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.6 ? "met" : "not met")}')

handshakes() {  # TLS version flag -> new handshakes per second
  openssl s_time -connect "$tls" -new -time 5 "$1" -CAfile "$tmp/pki/ca.crt" 2> /dev/null |
    awk '/real seconds/ {printf "%.0f\n", $1 / $4}' | head -n1
}
hs13=$(handshakes -tls1_3)
hs12=$(handshakes -tls1_2)

echo "Security cost: GET $route, plain HTTP without auth vs TLS 1.3 + bearer token (wrk" \
  "-t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION, keep-alive, $ROUNDS interleaved rounds)"
echo
printf '| %-24s | %10s | %9s | %-18s |\n' setup "requests/s" "vs plain" "goal (issue 8)"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..26})" "$(printf -- '-%.0s' {1..12})" \
  "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..20})"
printf '| %-24s | %10s | %9s | %-18s |\n' "plain HTTP, no auth" "$plain_rps" "1.00x" ""
printf '| %-24s | %10s | %9s | %-18s |\n' "TLS 1.3 + token auth" "$tls_rps" "${ratio}x" \
  ">= 0.6x: $verdict"
echo
echo "New TLS handshakes per second (openssl s_time -new, one client, ECDSA P-256 certificate):"
echo "  TLS 1.3: ${hs13:-n/a} /s   TLS 1.2: ${hs12:-n/a} /s  (connections / wall seconds)"
for key in "${!errors[@]}"; do echo "errors in '$key':${errors[$key]}"; done
