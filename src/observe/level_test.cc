#include "observe/level.h"

#include <gtest/gtest.h>

namespace novacron::observe {
namespace {

TEST(LevelTest, NamesRoundTrip) {
  for (Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    Result<Level> parsed = ParseLevel(LevelName(level));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, level);
  }
}

TEST(LevelTest, ParseIsCaseInsensitiveAndAcceptsWarning) {
  EXPECT_EQ(*ParseLevel("DEBUG"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("Warning"), Level::kWarn);
}

TEST(LevelTest, UnknownLevelNamesTheValue) {
  Result<Level> parsed = ParseLevel("verbose");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("'verbose'"), std::string::npos);
}

TEST(LogFormatTest, Parse) {
  EXPECT_EQ(*ParseLogFormat("auto"), LogFormat::kAuto);
  EXPECT_EQ(*ParseLogFormat("JSON"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(LogFormatName(LogFormat::kText), "text");
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace novacron::observe
