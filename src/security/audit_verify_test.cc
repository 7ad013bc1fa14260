// Tamper tests: each way of changing audit.log at rest is detected and the right line named.
#include "security/audit_verify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "security/audit_files.h"
#include "security/audit_test_util.h"

namespace novacron::security {
namespace {

using testing::AppendEvents;
using testing::Lines;
using testing::TempDir;
using testing::WriteLines;

class AuditTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppendEvents(dir_.path(), 6);
    path_ = dir_.path() / kAuditLogName;
    lines_ = Lines(path_);
    ASSERT_EQ(lines_.size(), 6u);
    auto r = VerifyAuditLog(dir_.path());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->ok) << FormatAuditVerifyResult(*r);
  }

  AuditVerifyResult Verify() {
    auto r = VerifyAuditLog(dir_.path());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_FALSE(r->ok) << "tampering not detected";
    return *r;
  }

  TempDir dir_;
  std::filesystem::path path_;
  std::vector<std::string> lines_;
};

TEST_F(AuditTamperTest, EditedFieldNamesTheEditedLine) {
  auto j = nlohmann::ordered_json::parse(lines_[2]);
  j["actor"] = "mallory";
  lines_[2] = j.dump();
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "edited");
  EXPECT_EQ(r.file, path_);
  EXPECT_EQ(r.line, 3);
}

TEST_F(AuditTamperTest, EditedLastLineIsCaughtByTheHead) {
  lines_[5].replace(lines_[5].find("\"ok\""), 4, "\"no\"");
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "edited");
  EXPECT_EQ(r.line, 6);
}

TEST_F(AuditTamperTest, LineThatIsNoLongerJsonIsNamed) {
  lines_[1] = lines_[1].substr(0, 20);
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "edited");
  EXPECT_EQ(r.line, 2);
}

TEST_F(AuditTamperTest, DeletedLineNamesWhereItWas) {
  lines_.erase(lines_.begin() + 3);  // seq 4
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "removed");
  EXPECT_EQ(r.line, 4);
  EXPECT_NE(r.message.find("seq 4"), std::string::npos) << r.message;
}

TEST_F(AuditTamperTest, DeletedFirstLineIsRemoved) {
  lines_.erase(lines_.begin());
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "removed");
  EXPECT_EQ(r.line, 1);
  EXPECT_NE(r.message.find("seq 1 "), std::string::npos) << r.message;
}

TEST_F(AuditTamperTest, SwappedLinesAreReordered) {
  std::swap(lines_[2], lines_[3]);
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "reordered");
  EXPECT_EQ(r.line, 3);
}

TEST_F(AuditTamperTest, LastLineCutMidwayIsTruncated) {
  std::string text = testing::ReadAll(path_);
  testing::WriteAll(path_, text.substr(0, text.size() - 30));
  auto r = Verify();
  EXPECT_EQ(r.kind, "truncated");
  EXPECT_EQ(r.line, 6);
}

TEST_F(AuditTamperTest, WholeTrailingLinesRemovedAreTruncated) {
  lines_.resize(4);
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "truncated");
  EXPECT_EQ(r.line, 5);
  EXPECT_NE(r.message.find("seq 5..6"), std::string::npos) << r.message;
}

TEST_F(AuditTamperTest, AppendedLineWithCorrectPrevIsForged) {
  auto j = nlohmann::ordered_json::parse(lines_[5]);
  j["seq"] = 7;
  j["actor"] = "mallory";
  j["prev"] = Sha256Hex(lines_[5]);
  lines_.push_back(j.dump());
  WriteLines(path_, lines_);
  auto r = Verify();
  EXPECT_EQ(r.kind, "forged");
  EXPECT_EQ(r.line, 7);
}

TEST_F(AuditTamperTest, DeletedHeadIsReported) {
  std::filesystem::remove(dir_.path() / kAuditHeadName);
  auto r = Verify();
  EXPECT_EQ(r.kind, "head");
}

// The daemon reopening a tampered log must not launder it: verify still names the damage
// after more entries are appended.
TEST_F(AuditTamperTest, TruncationStaysVisibleAfterReopenAndAppend) {
  lines_.resize(4);
  WriteLines(path_, lines_);
  AppendEvents(dir_.path(), 3);
  auto r = Verify();
  EXPECT_EQ(r.kind, "truncated");
  EXPECT_EQ(r.line, 5);
}

TEST_F(AuditTamperTest, ForgedLineStaysVisibleAfterReopenAndAppend) {
  auto j = nlohmann::ordered_json::parse(lines_[5]);
  j["seq"] = 7;
  j["prev"] = Sha256Hex(lines_[5]);
  lines_.push_back(j.dump());
  WriteLines(path_, lines_);
  AppendEvents(dir_.path(), 2);
  auto r = Verify();
  EXPECT_EQ(r.kind, "forged");
  EXPECT_EQ(r.line, 7);
}

TEST_F(AuditTamperTest, EditedMiddleLineStaysVisibleAfterReopenAndAppend) {
  auto j = nlohmann::ordered_json::parse(lines_[1]);
  j["target"] = "vms/other";
  lines_[1] = j.dump();
  WriteLines(path_, lines_);
  AppendEvents(dir_.path(), 2);
  auto r = Verify();
  EXPECT_EQ(r.kind, "edited");
  EXPECT_EQ(r.line, 2);
}

TEST_F(AuditTamperTest, CutLineIsKeptAndStillReportedAfterReopen) {
  std::string text = testing::ReadAll(path_);
  std::string cut = text.substr(0, text.size() - 30);
  testing::WriteAll(path_, cut);
  AppendEvents(dir_.path(), 1);
  // Never overwritten: the damaged bytes are still there, ended by a newline.
  EXPECT_EQ(testing::ReadAll(path_).substr(0, cut.size()), cut);
  auto r = Verify();
  EXPECT_EQ(r.line, 6);
  EXPECT_EQ(r.kind, "edited");  // now a whole line that is not a valid entry
}

TEST(AuditVerifyTest, MissingLogIsNotFound) {
  TempDir dir;
  auto r = VerifyAuditLog(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.status().message().find(dir.path().string()), std::string::npos);
}

TEST(AuditVerifyTest, InterruptedAppendIsAccepted) {
  TempDir dir;
  AppendEvents(dir.path(), 3);
  auto lines = Lines(dir.path() / kAuditLogName);
  // As if the daemon died between writing the line (step 2) and the head (step 3).
  auto head = ReadAuditHead(dir.path());
  ASSERT_TRUE(head.ok() && head->has_value());
  AuditHead pending{{2, Sha256Hex(lines[1])}, AuditHead::Entry{3, Sha256Hex(lines[2])}};
  ASSERT_TRUE(WriteAuditHead(dir.path(), pending, false).ok());
  auto r = VerifyAuditLog(dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << FormatAuditVerifyResult(*r);
  EXPECT_EQ(r->entries, 3);
  // ... and before writing the line (after step 1): the entry was never acknowledged.
  lines.pop_back();
  WriteLines(dir.path() / kAuditLogName, lines);
  r = VerifyAuditLog(dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << FormatAuditVerifyResult(*r);
  EXPECT_EQ(r->entries, 2);
  ASSERT_FALSE(r->notes.empty());
  // The writer picks up from there without a mismatch entry.
  AppendEvents(dir.path(), 1);
  r = VerifyAuditLog(dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << FormatAuditVerifyResult(*r);
  EXPECT_EQ(r->last_seq, 3);
}

}  // namespace
}  // namespace novacron::security
