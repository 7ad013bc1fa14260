#include "observe/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace novacron::observe {
namespace {

using nlohmann::json;
using namespace std::string_literals;

struct Captured {
  explicit Captured(Level level = Level::kDebug, LogFormat format = LogFormat::kJson,
                    std::string node_id = "")
      : sink(std::make_shared<CapturingSink>()),
        logger(LogOptions{
            .format = format, .level = level, .node_id = std::move(node_id), .sink = sink}) {}
  std::vector<json> Parsed() const {
    std::vector<json> out;
    for (const std::string& line : sink->Lines()) out.push_back(json::parse(line));
    return out;
  }
  std::shared_ptr<CapturingSink> sink;
  Logger logger;
};

std::vector<std::string> Keys(const std::string& line) {
  std::vector<std::string> keys;
  const auto json = nlohmann::ordered_json::parse(line);
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  return keys;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::string out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

TEST(LoggerTest, JsonLineHasLevelMessageContextAndFields) {
  Captured c(Level::kDebug, LogFormat::kJson, "node-1");
  Logger db = c.logger.With({{"component", "database"}, {"phase", "core"}});
  db.Info("started", {{"duration_ms", 12}, {"attempts", 1}});
  const auto lines = c.sink->Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Keys(lines[0]), (std::vector<std::string>{"time", "level", "msg", "component", "phase",
                                                      "node_id", "duration_ms", "attempts"}));
  const json line = json::parse(lines[0]);
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["msg"], "started");
  EXPECT_EQ(line["component"], "database");
  EXPECT_EQ(line["phase"], "core");
  EXPECT_EQ(line["node_id"], "node-1");
  EXPECT_EQ(line["duration_ms"], 12);
  EXPECT_EQ(line["attempts"], 1);
  EXPECT_EQ(c.logger.format(), LogFormat::kJson);
}

TEST(LoggerTest, EachLevelHasItsName) {
  Captured c;
  c.logger.Debug("d");
  c.logger.Info("i");
  c.logger.Warn("w", {{"error", Unavailable("db down")}});
  c.logger.Error("e", Fields{{"k", "v"}});
  c.logger.Log(Level::kWarn, "l");
  const auto lines = c.Parsed();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0]["level"], "debug");
  EXPECT_EQ(lines[1]["level"], "info");
  EXPECT_EQ(lines[2]["level"], "warn");
  EXPECT_EQ(lines[2]["error"], "db down");
  EXPECT_EQ(lines[3]["level"], "error");
  EXPECT_EQ(lines[3]["k"], "v");
  EXPECT_EQ(lines[4]["msg"], "l");
}

TEST(LoggerTest, LevelFiltersAndCanChangeAtRunTimeForAllChildren) {
  Captured c(Level::kWarn);
  Logger child = c.logger.With({{"component", "api"}});
  child.Debug("hidden");
  child.Info("hidden");
  child.Warn("shown 1");
  EXPECT_FALSE(child.Enabled(Level::kInfo));
  c.logger.SetLevel(Level::kDebug);  // as SIGHUP reload does, on the root
  EXPECT_EQ(child.level(), Level::kDebug);
  child.Debug("shown 2");
  child.SetLevel(Level::kError);  // the level is shared both ways
  c.logger.Warn("hidden");
  c.logger.Error("shown 3");
  const auto lines = c.Parsed();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["msg"], "shown 1");
  EXPECT_EQ(lines[1]["msg"], "shown 2");
  EXPECT_EQ(lines[2]["msg"], "shown 3");
}

TEST(LoggerTest, DisabledLevelDoesNotFormat) {
  std::atomic<int> clock_calls{0};
  auto sink = std::make_shared<CapturingSink>();
  Logger logger(LogOptions{.level = Level::kInfo, .sink = sink, .clock = [&] {
                             ++clock_calls;
                             return std::chrono::system_clock::now();
                           }});
  for (int i = 0; i < 1000; ++i) logger.Debug("expensive", {{"i", i}});
  EXPECT_EQ(clock_calls.load(), 0);
  logger.Info("cheap");
  EXPECT_EQ(clock_calls.load(), 1);
  EXPECT_EQ(sink->Lines().size(), 1u);
}

TEST(LoggerTest, WithMergesContextWithoutTouchingTheParent) {
  Captured c;
  Logger a = c.logger.With({{"component", "dwcp"}, {"mode", "datacenter"}});
  Logger b = a.With({{"mode", "internet"}, {"phase", "core"}, {"streams", 16}});
  c.logger.Info("root");
  a.Info("a");
  b.Info("b");
  const auto lines = c.Parsed();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].contains("component"));
  EXPECT_FALSE(lines[0].contains("mode"));
  EXPECT_EQ(lines[1]["mode"], "datacenter");
  EXPECT_FALSE(lines[1].contains("phase"));
  EXPECT_EQ(lines[2]["component"], "dwcp");
  EXPECT_EQ(lines[2]["mode"], "internet");
  EXPECT_EQ(lines[2]["phase"], "core");
  EXPECT_EQ(lines[2]["streams"], 16);
}

TEST(LoggerTest, HostileInputAlwaysGivesValidJsonLines) {
  Captured c;
  const std::string hostile = "\"}\n{\"level\":\"error\"\x01\x1b[0m\xFF\xFE\xED\xA0\x80\\"s;
  Logger child = c.logger.With({{hostile, hostile}, {"component", hostile}});
  child.Error(hostile, {{hostile + "2", hostile}, {"n", -1}});
  const auto lines = c.sink->Lines();
  ASSERT_EQ(lines.size(), 1u);
  const json line = json::parse(lines[0]);
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line.size(), 7u);
}

TEST(LoggerTest, TextFormatWhenAsked) {
  Captured c(Level::kInfo, LogFormat::kText);
  c.logger.With({{"component", "database"}}).Info("started", {{"duration_ms", 12}});
  const auto lines = c.sink->Lines();
  ASSERT_EQ(lines.size(), 1u);
  // HH:MM:SS.mmm, then the fixed part (the sink is not a terminal: no colour).
  ASSERT_GE(lines[0].size(), 13u);
  EXPECT_EQ(lines[0][2], ':');
  EXPECT_EQ(lines[0][8], '.');
  EXPECT_EQ(lines[0].substr(12), " INFO  [database] started  duration_ms=12");
}

TEST(LoggerTest, AutoFormatIsJsonOnAPipeAndTextOnATerminal) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  EXPECT_EQ(Logger(LogOptions{.fd = fds[1]}).format(), LogFormat::kJson);
  close(fds[0]);
  close(fds[1]);

  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    if (master >= 0) close(master);
    GTEST_SKIP() << "no pseudo-terminal available";
  }
  const int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(slave, 0);
  EXPECT_EQ(Logger(LogOptions{.fd = slave}).format(), LogFormat::kText);
  EXPECT_EQ(Logger(LogOptions{.fd = slave, .format = LogFormat::kJson}).format(), LogFormat::kJson);
  close(slave);
  close(master);
}

TEST(LoggerTest, ClosedDescriptorNeverCrashes) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  close(fds[0]);
  Logger broken_pipe(LogOptions{.fd = fds[1], .format = LogFormat::kJson});
  broken_pipe.Error("reader gone");
  close(fds[1]);
  Logger closed_fd(LogOptions{.fd = fds[1], .format = LogFormat::kText});
  closed_fd.Error("fd closed");
  Logger::Discard().Error("nowhere");
  SUCCEED();
}

TEST(LoggerTest, DiscardIsDisabled) {
  Logger discard = Logger::Discard();
  EXPECT_FALSE(discard.Enabled(Level::kError));
}

// Lines from many threads arrive whole: every line parses, and every (thread, seq) appears once.
void ExpectWholeLines(const std::string& text, int threads, int lines_per_thread) {
  const auto lines = SplitLines(text);
  ASSERT_EQ(lines.size(), static_cast<size_t>(threads * lines_per_thread));
  std::set<std::pair<int, int>> seen;
  for (const std::string& line : lines) {
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(line)) << line;
    seen.emplace(parsed["thread"].get<int>(), parsed["seq"].get<int>());
    EXPECT_EQ(parsed["pad"].get<std::string>().size(), 1000u);
  }
  EXPECT_EQ(seen.size(), lines.size());
}

void LogFromThreads(const Logger& logger, int threads, int lines_per_thread) {
  std::vector<std::thread> workers;
  const std::string pad(1000, 'x');
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Logger mine = logger.With({{"thread", t}});
      for (int i = 0; i < lines_per_thread; ++i) mine.Info("tick", {{"seq", i}, {"pad", pad}});
    });
  }
  for (auto& w : workers) w.join();
}

TEST(LoggerConcurrencyTest, EightThreadsToAPipeGiveWholeLines) {
  constexpr int kThreads = 8;
  constexpr int kLines = 500;
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  std::string received;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) received.append(buf, static_cast<size_t>(n));
  });
  {
    Logger logger(LogOptions{.fd = fds[1], .format = LogFormat::kJson});
    LogFromThreads(logger, kThreads, kLines);
  }
  close(fds[1]);
  reader.join();
  close(fds[0]);
  ExpectWholeLines(received, kThreads, kLines);
}

TEST(LoggerConcurrencyTest, EightThreadsToAFileGiveWholeLines) {
  constexpr int kThreads = 8;
  constexpr int kLines = 500;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      (std::string("novacron_observe_") + info->name() + "_" + std::to_string(getpid()) + ".log");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  {
    Logger logger(LogOptions{.format = LogFormat::kJson,
                             .sink = std::make_shared<FdSink>(fd, /*owns_fd=*/true)});
    LogFromThreads(logger, kThreads, kLines);
  }
  const std::string text = ReadFile(path);
  std::filesystem::remove(path);
  ExpectWholeLines(text, kThreads, kLines);
}

}  // namespace
}  // namespace novacron::observe
