#include "store/boot_record.h"

#include <gtest/gtest.h>

namespace novacron::store {
namespace {

TEST(BootRecordTest, StateNamesRoundTrip) {
  for (BootState s : {BootState::kInProgress, BootState::kReady, BootState::kDegraded,
                      BootState::kFailed, BootState::kInterrupted, BootState::kCrashed}) {
    Result<BootState> parsed = ParseBootState(BootStateName(s));
    ASSERT_TRUE(parsed.ok()) << BootStateName(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(BootStateName(BootState::kInProgress), "in_progress");
  Result<BootState> bad = ParseBootState("booting");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown boot state 'booting'");
}

TEST(BootRecordTest, ValidatesBootInfo) {
  EXPECT_TRUE(ValidateBootInfo({.node_id = "n1", .pid = 1}).ok());
  EXPECT_EQ(ValidateBootInfo({.node_id = "", .pid = 1}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateBootInfo({.node_id = "n1", .pid = 0}).message(),
            "boot record: pid 0 is not positive");
}

TEST(BootRecordTest, ValidatesComponentRecord) {
  ComponentRecord ok{.name = "database", .state = "started"};
  EXPECT_TRUE(ValidateComponentRecord(ok).ok());
  ComponentRecord unnamed = ok;
  unnamed.name = "";
  EXPECT_FALSE(ValidateComponentRecord(unnamed).ok());
  ComponentRecord stateless = ok;
  stateless.state = "";
  EXPECT_EQ(ValidateComponentRecord(stateless).message(),
            "component record 'database': state is empty");
  ComponentRecord backwards = ok;
  backwards.start_offset = std::chrono::microseconds(10);
  backwards.end_offset = std::chrono::microseconds(5);
  EXPECT_EQ(ValidateComponentRecord(backwards).message(),
            "component record 'database': end offset 5us is before start offset 10us");
  ComponentRecord negative = ok;
  negative.attempts = -1;
  EXPECT_FALSE(ValidateComponentRecord(negative).ok());
}

}  // namespace
}  // namespace novacron::store
