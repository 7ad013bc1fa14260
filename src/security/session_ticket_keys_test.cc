// Session ticket key rotation: the current key encrypts, the previous one still decrypts.
#include "security/session_ticket_keys.h"

#include <gtest/gtest.h>

namespace novacron::security {
namespace {

using Clock = SessionTicketKeys::Clock;

TEST(SessionTicketKeysTest, RotatesEveryPeriodAndAcceptsThePreviousKey) {
  Clock::time_point now = Clock::now();
  SessionTicketKeys keys(std::chrono::hours(1), [&] { return now; });
  SessionTicketKeys::Key first = keys.CurrentKey();
  bool current = false;
  ASSERT_TRUE(keys.FindKey(first.name.data(), &current));
  EXPECT_TRUE(current);

  now += std::chrono::minutes(61);
  SessionTicketKeys::Key second = keys.CurrentKey();
  EXPECT_NE(first.name, second.name);
  ASSERT_TRUE(keys.FindKey(first.name.data(), &current));
  EXPECT_FALSE(current);  // decrypts, and the ticket gets renewed

  now += std::chrono::minutes(61);
  (void)keys.CurrentKey();
  EXPECT_FALSE(keys.FindKey(first.name.data(), &current));
  EXPECT_TRUE(keys.FindKey(second.name.data(), &current));
}

TEST(SessionTicketKeysTest, LongIdleDropsBothOldKeys) {
  Clock::time_point now = Clock::now();
  SessionTicketKeys keys(std::chrono::hours(1), [&] { return now; });
  SessionTicketKeys::Key first = keys.CurrentKey();
  now += std::chrono::hours(3);
  bool current = false;
  EXPECT_FALSE(keys.FindKey(first.name.data(), &current));
}

TEST(SessionTicketKeysTest, UnknownNameIsNotFound) {
  SessionTicketKeys keys;
  unsigned char name[16] = {};
  bool current = false;
  EXPECT_FALSE(keys.FindKey(name, &current));
}

}  // namespace
}  // namespace novacron::security
