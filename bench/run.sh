#!/usr/bin/env bash
# `make bench`: prints the comparison tables. Expects the default build in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Boot engine: sequential vs levels vs eager vs the critical path"
./build/bench/engine_bench
echo
echo "== Placement: time per decision and nodes used vs the lower bound (10,000 nodes)"
./build/bench/placement_bench
echo
echo "== Heartbeats: 1,000 members' leases against a 3-member etcd"
./build/bench/heartbeat_bench --members 1000 --seconds 20
echo
echo "== Cluster: failover time (median of 5) and VM create latency, cluster vs standalone"
./build/bench/cluster_bench --rounds 5 --creates 40
echo
echo "== Real boot of the daemon"
./build/bench/ready_bench 21
echo
echo "== REST API throughput vs nginx (wrk on loopback)"
bash bench/api_bench.sh
echo
echo "== What TLS + token auth cost vs plain HTTP (wrk on loopback)"
bash bench/tls_bench.sh
echo
echo "== VM operations per second vs a virsh loop"
bash bench/vm_ops_bench.sh --cycles 200
