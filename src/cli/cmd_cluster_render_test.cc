// How `novacron node`, `novacron cluster status` and `novacron vm placement` print for people:
// exact tables and details.
#include "cli/cmd_cluster_render.h"

#include <gtest/gtest.h>

#include "cli/cluster_samples_for_test.h"

namespace novacron::cli {
namespace {

using nlohmann::json;

TEST(ClusterRenderTest, UsageAndBytes) {
  EXPECT_EQ(UsageCell(SampleNode("a", "ready"), "vcpus"), "6/16");
  EXPECT_EQ(UsageCell(json::object(), "vcpus"), "-/-");
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(20480), "20.0 KiB");
  EXPECT_EQ(FormatBytes(2 * 1024 * 1024 + 100 * 1024), "2.1 MiB");
  EXPECT_EQ(FormatBytes(int64_t{3} << 40), "3.0 TiB");
  EXPECT_EQ(FormatBytes(int64_t{2048} << 40), "2048.0 TiB");
}

TEST(ClusterRenderTest, NodeTable) {
  json b = SampleNode("node-b", "cordoned");
  b["leader"] = false;
  b["labels"] = json::object();
  b["updated_at"] = kSampleNow - 3 * 3600;
  EXPECT_EQ(RenderNodeTable(json::array({SampleNode("node-a", "ready"), b}), SampleNowPoint()),
            "NODE    STATE     LEADER  VCPUS  MEMORY(MiB)  API                    VERSION  "
            "UPDATED  LABELS\n"
            "node-a  ready     *       6/16   12288/65536  https://10.0.0.5:8080  0.9.0    "
            "12s      rack=r1,zone=a\n"
            "node-b  cordoned          6/16   12288/65536  https://10.0.0.5:8080  0.9.0    "
            "3h       -\n");
}

TEST(ClusterRenderTest, NodeDetails) {
  EXPECT_EQ(RenderNodeDetails(SampleNode("node-a", "ready"), SampleNowPoint()),
            "Node:           node-a\n"
            "State:          ready\n"
            "Leader:         yes\n"
            "API address:    https://10.0.0.5:8080\n"
            "DWCP address:   10.0.0.5:9090\n"
            "Version:        0.9.0\n"
            "Network mode:   datacenter\n"
            "VCPUs:          6 of 16 allocated\n"
            "Memory:         12288 MiB of 65536 MiB allocated\n"
            "Shared storage: yes\n"
            "Labels:         rack=r1,zone=a\n"
            "Updated:        2026-11-25T11:59:48Z (12s ago)\n");
  // A record that never published shows "-", not 1970.
  json fresh = {{"node_id", "n"}, {"updated_at", 0}};
  EXPECT_NE(RenderNodeDetails(fresh, SampleNowPoint()).find("Updated:        -\n"),
            std::string::npos);
}

TEST(ClusterRenderTest, EtcdClusterWithLeader) {
  json cluster = SampleEtcdCluster();
  EXPECT_TRUE(ClusterHealthy(cluster));
  EXPECT_EQ(RenderClusterStatus(cluster, SampleNowPoint()),
            "Mode:           etcd\n"
            "Node:           node-a (joined, the leader)\n"
            "Leader:         node-a (term 7)\n"
            "Leader changes: 3\n"
            "Members:        2 ready, 1 cordoned, 0 lost\n"
            "Revision:       1234\n"
            "Refreshed:      2026-11-25T11:59:58Z (2s ago)\n"
            "\n"
            "ETCD ENDPOINT          HEALTH       LEADER  VERSION  REVISION  DB SIZE   ERROR\n"
            "http://10.0.0.1:2379   healthy      *       3.5.9    1234      2.0 MiB\n"
            "http://10.0.0.2:2379   no leader            3.5.9    1230      20.0 KiB\n"
            "http://10.0.0.3:23790  unreachable          -        -         -         "
            "connection refused\n");
}

TEST(ClusterRenderTest, NoLeaderAndAnError) {
  json cluster = SampleEtcdCluster();
  cluster["joined"] = false;
  cluster["is_leader"] = false;
  cluster["leader"] = nullptr;
  cluster["error"] = "etcd: deadline exceeded";
  cluster["etcd"] = json::array({{{"endpoint", "http://10.0.0.1:2379"},
                                  {"reachable", true},
                                  {"has_leader", true},
                                  {"is_leader", true},
                                  {"revision", 5},
                                  {"version", "3.5.9"},
                                  {"db_size_bytes", 512}}});
  EXPECT_FALSE(ClusterHealthy(cluster));
  std::string out = RenderClusterStatus(cluster, SampleNowPoint());
  EXPECT_NE(out.find("Node:           node-a (not joined)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Leader:         none\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Error:          etcd: deadline exceeded\n"), std::string::npos) << out;
  // No ERROR column when every endpoint answered.
  EXPECT_NE(out.find("REVISION  DB SIZE\nhttp://10.0.0.1:2379  healthy  *       3.5.9    5         "
                     "512 B\n"),
            std::string::npos)
      << out;
}

TEST(ClusterRenderTest, Standalone) {
  json cluster = SampleStandaloneCluster();
  EXPECT_TRUE(ClusterHealthy(cluster));
  EXPECT_EQ(RenderClusterStatus(cluster, SampleNowPoint()),
            "Mode:           standalone (no etcd: this node is the only member and its own "
            "leader)\n"
            "Node:           node-a (joined, the leader)\n"
            "Leader:         node-a\n"
            "Leader changes: 0\n"
            "Members:        1 ready, 0 cordoned, 0 lost\n");
}

TEST(ClusterRenderTest, NotAnObject) {
  EXPECT_FALSE(ClusterHealthy(json::array()));
  EXPECT_FALSE(ClusterHealthy(nullptr));
  EXPECT_NE(RenderClusterStatus(nullptr, SampleNowPoint()).find("Leader:         none"),
            std::string::npos);
  EXPECT_EQ(RenderNodeTable(json::array({json("junk")}), SampleNowPoint()).substr(0, 5), "NODE ");
}

TEST(PlacementRenderTest, OnANodeWithABetterOne) {
  EXPECT_EQ(RenderVmPlacement(SamplePlacement()),
            "vm web (0f3c2a9e-1111-2222-3333-444455556666) is on node node-a; placement (pack) "
            "would choose node-b now\n"
            "NODE    VERDICT   SCORE  FILTER    REASON\n"
            "node-b  best      90.6   -         free after placing: vcpus 2 of 16, memory_mib 4096 "
            "of 65536\n"
            "node-a  feasible  81.2   -         free after placing: vcpus 4 of 16, memory_mib 8192 "
            "of 65536\n"
            "node-c  feasible  9.4    -         free after placing: vcpus 14 of 16, memory_mib "
            "61440 of 65536\n"
            "node-d  rejected  -      state     node is cordoned\n"
            "node-e  rejected  -      capacity  memory_mib: 2048 of 262144 free, 4096 needed\n");
}

TEST(PlacementRenderTest, NotPlacedYet) {
  json placement = SamplePlacement();
  placement["node"] = "";
  placement["strategy"] = "spread";
  placement["nodes"] = json::array({placement["nodes"][0]});
  placement["nodes"][0]["score"] = 100;  // an integer in JSON
  EXPECT_EQ(RenderVmPlacement(placement),
            "vm web (0f3c2a9e-1111-2222-3333-444455556666) is not placed yet; placement (spread) "
            "would choose node-b now\n"
            "NODE    VERDICT  SCORE  FILTER  REASON\n"
            "node-b  best     100.0  -       free after placing: vcpus 2 of 16, memory_mib 4096 of "
            "65536\n");
}

TEST(PlacementRenderTest, NoNodeCanTakeIt) {
  json placement = SamplePlacement();
  placement["best"] = nullptr;
  placement["nodes"] = json::array({placement["nodes"][3], placement["nodes"][4]});
  EXPECT_EQ(RenderVmPlacement(placement),
            "vm web (0f3c2a9e-1111-2222-3333-444455556666) is on node node-a; no node can take it "
            "now\n"
            "NODE    VERDICT   SCORE  FILTER    REASON\n"
            "node-d  rejected  -      state     node is cordoned\n"
            "node-e  rejected  -      capacity  memory_mib: 2048 of 262144 free, 4096 needed\n");
  placement["node"] = "";
  placement["nodes"] = json::array();
  EXPECT_EQ(RenderVmPlacement(placement),
            "vm web (0f3c2a9e-1111-2222-3333-444455556666) is not placed yet; no node can take it "
            "now\n"
            "no nodes\n");
}

// Only the node named `best` is "best", once; a feasible node is never shown as rejected.
TEST(PlacementRenderTest, BestIsTheNodeNamedBest) {
  json placement = SamplePlacement();
  placement["best"] = "node-a";
  placement["nodes"][2]["node_id"] = "node-a";  // a repeated id (not what the daemon sends)
  std::string out = RenderVmPlacement(placement);
  EXPECT_NE(out.find("\nnode-b  feasible  90.6 "), std::string::npos) << out;
  EXPECT_NE(out.find("\nnode-a  best      81.2 "), std::string::npos) << out;
  EXPECT_NE(out.find("\nnode-a  feasible  9.4 "), std::string::npos) << out;
}

TEST(PlacementRenderTest, NotAnObject) {
  EXPECT_EQ(RenderVmPlacement(nullptr),
            "vm - is not placed yet; no node can take it now\nno nodes\n");
  json placement = {
      {"vm_name", "web"},
      {"node", "n1"},
      {"best", "n1"},
      {"nodes", json::array({json("junk"), {{"node_id", "n1"}, {"feasible", true}}})}};
  EXPECT_EQ(RenderVmPlacement(placement),
            "vm web is on node n1; placement (-) would choose n1 now\n"
            "NODE  VERDICT   SCORE  FILTER  REASON\n"
            "-     rejected  -      -       -\n"
            "n1    best      -      -       -\n");
}

}  // namespace
}  // namespace novacron::cli
