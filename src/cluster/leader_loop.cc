#include "cluster/leader_loop.h"

namespace novacron::cluster {

LeaderLoop::RoundResult LeaderLoop::Round(LeaderEnvironment& env) {
  RoundResult result;
  ClusterView view = env.View();
  if (!view.is_leader || !view.leader) {
    lost_since_.clear();
    term_ = 0;
    return result;
  }
  result.leading = true;
  if (term_ != view.leader->term) {
    term_ = view.leader->term;
    lost_since_.clear();
    result.new_term = true;
  }
  const auto now = env.Now();
  LeaderInput input;
  for (const Member& member : view.members.members) {
    PlacementNode node;
    node.record = member.record;
    node.state = member.state;
    input.nodes.push_back(std::move(node));
    if (member.state == MemberState::kLost) {
      if (lost_since_.emplace(member.record.node_id, now).second) {
        result.newly_lost.push_back(member.record.node_id);
      }
    } else {
      lost_since_.erase(member.record.node_id);
    }
  }
  input.lost_since = lost_since_;
  input.now = now;
  input.failover_grace = options_.failover_grace;
  input.strategy = options_.strategy;
  input.vms = env.Vms();
  for (const LeaderAction& action : PlanLeaderActions(input)) {
    Status applied = env.Apply(action, *view.leader);
    if (applied.ok()) {
      result.applied.push_back(action);
      continue;
    }
    result.failed.emplace_back(action, applied);
    if (applied.code() == ErrorCode::kFailedPrecondition) break;  // deposed: nothing more
  }
  return result;
}

}  // namespace novacron::cluster
