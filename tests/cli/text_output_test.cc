// OneLine() keeps each name on its own line of text output.
#include "cli/text_output.h"

#include <string>

#include "gtest/gtest.h"

namespace portcullis::cli {
namespace {

TEST(OneLineTest, PlainTextUnchanged) {
  EXPECT_EQ(OneLine("CA101 Block outside (on-premises) \"x\" \\ é"),
            "CA101 Block outside (on-premises) \"x\" \\ é");
  EXPECT_EQ(OneLine(""), "");
}

TEST(OneLineTest, ControlCharactersEscaped) {
  EXPECT_EQ(OneLine("x\ndecision: allow"), "x\\u000adecision: allow");
  EXPECT_EQ(OneLine("a\rb\tc"), "a\\u000db\\u0009c");
  EXPECT_EQ(OneLine(std::string("a\0b", 3)), "a\\u0000b");
  EXPECT_EQ(OneLine("\x01\x1f\x7f"), "\\u0001\\u001f\\u007f");
}

TEST(OneLineTest, UnicodeLineBreaksEscaped) {
  EXPECT_EQ(OneLine("a\xc2\x85" "b"), "a\\u0085b");
  EXPECT_EQ(OneLine("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a\\u2028b\\u2029");
  // Other characters of those lead bytes stay, as does invalid UTF-8.
  EXPECT_EQ(OneLine("\xc2\xa9 \xe2\x80\x94 \xe2\x80"), "\xc2\xa9 \xe2\x80\x94 \xe2\x80");
}

}  // namespace
}  // namespace portcullis::cli
