// The placement simulator behind `novacron sim placement` and bench/placement_bench: N identical
// simulated nodes, M VMs of mixed sizes from a seeded PRNG, each placed with the real Place() and
// booked with ApplyPlacement(). Reports the time per decision and the nodes used against the
// lower bound (issue 9, sections 4 and 7).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cluster/node_record.h"
#include "cluster/placement.h"
#include "common/status.h"

namespace novacron::cluster {

// VM sizes: vcpus 1, 2, 4, 8, 16 with weights 30, 30, 25, 10, 5 % (mean 3.5), and 2, 4 or 8 GiB
// per vCPU (equally likely: compute, general and memory-heavy shapes).
struct PlacementSimOptions {
  int64_t nodes = 100;
  int64_t vms = 1000;
  uint64_t seed = 1;
  PlacementStrategy strategy = PlacementStrategy::kPack;
  NodeResources node_capacity{64, 256 * 1024};  // every node: 64 vCPUs, 256 GiB
  // Nodes are labelled zone=z0 .. z<zones-1> in turn; a VM selects one random zone with this
  // probability (0: no VM has a node_selector). With zones = 1 no node has a label.
  int64_t zones = 1;
  double zone_selector_share = 0.0;
  // Place the biggest VMs first (largest share of a node in either resource, ties in generation
  // order): first-fit-decreasing for pack. False: in generation order, like live creates.
  bool largest_first = false;
};

struct PlacementSimResult {
  PlacementSimOptions options{};
  int64_t decisions = 0;  // calls to Place(), one per VM
  int64_t placed = 0;
  int64_t unplaced = 0;  // no node passed every filter
  // Time of one Place() call, in microseconds.
  double median_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  double max_us = 0;
  double total_seconds = 0;       // the whole run, generation included
  NodeResources placed_demand{};  // sum over the placed VMs
  int64_t nodes_used = 0;         // nodes with at least one VM
  // Of the placed VMs: ceil(placed demand / node capacity) per resource, and the larger one.
  int64_t lower_bound_vcpus = 0;
  int64_t lower_bound_memory = 0;
  int64_t lower_bound = 0;
  double used_over_bound = 0;  // nodes_used / lower_bound; 0 when nothing was placed
  // For each VM in generation order, the index of its node ("node-<index>"), or -1 if unplaced.
  std::vector<int32_t> assignment{};
};

// kInvalidArgument naming the option when nodes or vms is < 1 or > 10,000,000, a capacity is
// < 1, zones < 1, or the selector share is outside 0..1.
Status ValidatePlacementSimOptions(const PlacementSimOptions& options);

// Runs the simulation; the options' errors as ValidatePlacementSimOptions. Everything but the
// timings depends only on the options.
Result<PlacementSimResult> RunPlacementSim(const PlacementSimOptions& options);

// A small text table of the run, one "key  value" line each, ending in a newline.
std::string RenderPlacementSim(const PlacementSimResult& result);

}  // namespace novacron::cluster
