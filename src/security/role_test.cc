#include "security/role.h"

#include <gtest/gtest.h>

namespace novacron::security {
namespace {

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("Admin").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
}

TEST(RoleTest, StrongerRolesAllowWeakerNeeds) {
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Role::kViewer));
  EXPECT_TRUE(RoleAllows(Role::kOperator, Role::kOperator));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Role::kOperator));
  EXPECT_FALSE(RoleAllows(Role::kOperator, Role::kAdmin));
}

}  // namespace
}  // namespace novacron::security
