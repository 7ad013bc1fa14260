// Field errors survive the trip through a Status (the API turns them back into a 422).
#include "vm/spec_errors.h"

#include <gtest/gtest.h>

namespace novacron::vm {
namespace {

TEST(SpecErrorsTest, RoundTripsEveryFieldEvenWithSeparatorsInMessages) {
  std::vector<FieldError> errors = {
      {"disks[1].base_image", "/img/a; 1b: c is not inside an image directory (vm.image_dirs: /x)"},
      {"kernel", "/boot/vmlinuz: no such file"},
      {"initrd", "x"}};
  Status status = SpecErrorStatus(errors);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SpecErrorsOf(status), errors);
}

TEST(SpecErrorsTest, SurvivesWrapping) {
  Status status = SpecErrorStatus({{"kernel", "no"}}).Wrap("create vm 'a'");
  EXPECT_EQ(SpecErrorsOf(status), (std::vector<FieldError>{{"kernel", "no"}}));
}

TEST(SpecErrorsTest, OtherStatusesHaveNoFieldErrors) {
  EXPECT_TRUE(SpecErrorsOf(Internal("vm spec: kernel: no")).empty());
  EXPECT_TRUE(SpecErrorsOf(InvalidArgument("disk_dir 'x': must be absolute")).empty());
  EXPECT_TRUE(SpecErrorsOf(InvalidArgument("vm spec: Not A Field: x")).empty());
  EXPECT_TRUE(SpecErrorsOf(Status::Ok()).empty());
}

}  // namespace
}  // namespace novacron::vm
