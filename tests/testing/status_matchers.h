// GoogleTest matchers for absl::Status and absl::StatusOr<T>.
//
// Debian's Abseil 20220623 ships no status matchers, so the project keeps
// these few:
//
//   EXPECT_THAT(ParseThing("x"), IsOk());
//   EXPECT_THAT(ParseThing("x"), IsOkAndHolds(Eq(3)));
//   EXPECT_THAT(ParseThing("?"), StatusIs(absl::StatusCode::kInvalidArgument,
//                                         HasSubstr("expected")));
//   ASSERT_OK_AND_ASSIGN(Thing thing, ParseThing("x"));
#ifndef PORTCULLIS_TESTS_TESTING_STATUS_MATCHERS_H_
#define PORTCULLIS_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace portcullis::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}

template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::portcullis::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + absl::StatusCodeToString(code) +
               " and a matching message") {
  const absl::Status& status = ::portcullis::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message_matcher,
                                       std::string(status.message()),
                                       result_listener);
}

}  // namespace portcullis::testing

#define PORTCULLIS_STATUS_CONCAT_INNER(a, b) a##b
#define PORTCULLIS_STATUS_CONCAT(a, b) PORTCULLIS_STATUS_CONCAT_INNER(a, b)

// Asserts that `expression` (an absl::StatusOr<T>) is OK and moves its value
// into `declaration`.
#define ASSERT_OK_AND_ASSIGN(declaration, expression)                       \
  auto PORTCULLIS_STATUS_CONCAT(status_or_, __LINE__) = (expression);       \
  ASSERT_TRUE(PORTCULLIS_STATUS_CONCAT(status_or_, __LINE__).ok())          \
      << PORTCULLIS_STATUS_CONCAT(status_or_, __LINE__).status();           \
  declaration = std::move(*PORTCULLIS_STATUS_CONCAT(status_or_, __LINE__))

#define ASSERT_OK(expression) \
  ASSERT_THAT((expression), ::portcullis::testing::IsOk())
#define EXPECT_OK(expression) \
  EXPECT_THAT((expression), ::portcullis::testing::IsOk())

#endif  // PORTCULLIS_TESTS_TESTING_STATUS_MATCHERS_H_
