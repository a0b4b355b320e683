#include "proto/smoke.pb.h"
#include "re2/re2.h"
#include "absl/strings/str_cat.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/status_matchers.h"
#include "google/protobuf/util/json_util.h"
TEST(Smoke, Works) {
  portcullis::Smoke s; s.set_name("x");
  EXPECT_TRUE(RE2::FullMatch("abc", "a.c"));
  EXPECT_EQ(absl::StrCat("a", 1), "a1");
  absl::TimeZone tz; EXPECT_TRUE(absl::LoadTimeZone("Europe/Berlin", &tz));
  google::protobuf::Value v; EXPECT_TRUE(google::protobuf::util::JsonStringToMessage("{\"a\":1}", &v).ok());
  absl::StatusOr<int> x = 3; EXPECT_THAT(x, portcullis::testing::IsOkAndHolds(3));
}
