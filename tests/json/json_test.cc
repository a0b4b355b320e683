#include "json/json.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::json {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::IsOkAndHolds;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

std::string Utf16Le(absl::string_view ascii, bool with_bom) {
  std::string out = with_bom ? std::string("\xFF\xFE", 2) : "";
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// A document and a part of the error message it yields.
struct MessageCase {
  const char* name;
  const char* json;
  const char* message;
};

TEST(DecodeToUtf8, PlainUtf8Unchanged) {
  EXPECT_THAT(DecodeToUtf8("{\"a\":1}"), IsOkAndHolds(std::string("{\"a\":1}")));
}

TEST(DecodeToUtf8, StripsUtf8ByteOrderMark) {
  EXPECT_THAT(DecodeToUtf8("\xEF\xBB\xBF{}"), IsOkAndHolds(std::string("{}")));
}

TEST(DecodeToUtf8, ConvertsUtf16LittleEndian) {
  EXPECT_THAT(DecodeToUtf8(Utf16Le("{\"k\":\"v\"}", true)),
              IsOkAndHolds(std::string("{\"k\":\"v\"}")));
}

TEST(DecodeToUtf8, ConvertsUtf16BigEndianWithSurrogatePair) {
  // U+1F600 is D83D DE00 in UTF-16 and F0 9F 98 80 in UTF-8.
  std::string bytes("\xFE\xFF\xD8\x3D\xDE\x00", 6);
  EXPECT_THAT(DecodeToUtf8(bytes),
              IsOkAndHolds(std::string("\xF0\x9F\x98\x80")));
}

TEST(DecodeToUtf8, ConvertsTwoAndThreeByteCharacters) {
  // U+00E9 and U+20AC, little endian.
  std::string bytes("\xFF\xFE\xE9\x00\xAC\x20", 6);
  EXPECT_THAT(DecodeToUtf8(bytes), IsOkAndHolds(std::string("\xC3\xA9\xE2\x82\xAC")));
}

TEST(DecodeToUtf8, RejectsOddUtf16Length) {
  EXPECT_THAT(DecodeToUtf8(std::string("\xFF\xFE{", 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("odd byte count")));
}

TEST(DecodeToUtf8, RejectsUnpairedSurrogates) {
  EXPECT_THAT(DecodeToUtf8(std::string("\xFF\xFE\x3D\xD8", 4)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unpaired high surrogate")));
  EXPECT_THAT(DecodeToUtf8(std::string("\xFF\xFE\x00\xDE", 4)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unpaired low surrogate")));
}

TEST(ParseJson, ParsesUtf16Document) {
  ASSERT_OK_AND_ASSIGN(auto value,
                       ParseJson(Utf16Le("{\"name\": \"nsg1\"}", true)));
  const google::protobuf::Value* name =
      FindField(value.struct_value(), "name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->string_value(), "nsg1");
}

TEST(DecodeToUtf8, RejectsUtf16WithoutByteOrderMark) {
  std::string little_endian = Utf16Le("{\"id\": 1}", false);
  EXPECT_THAT(DecodeToUtf8(little_endian),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the file looks like UTF-16LE without a "
                                 "byte-order mark")));
  EXPECT_THAT(DecodeToUtf8(little_endian),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("iconv -f UTF-16LE -t UTF-8")));
  // The same text shifted by one byte is UTF-16BE.
  std::string big_endian = std::string(1, '\0') + little_endian.substr(0, 9);
  EXPECT_THAT(DecodeToUtf8(big_endian),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("looks like UTF-16BE without a byte-order "
                                 "mark")));
  // "{}" is four bytes in UTF-16, the least that is checked.
  EXPECT_THAT(ParseJson(Utf16Le("{}", false)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("UTF-16LE without a byte-order mark")));
  EXPECT_THAT(DecodeToUtf8(std::string("{\0", 2)), IsOk());
  EXPECT_THAT(DecodeToUtf8("[1, 2]"), IsOk());
}

TEST(ParseJson, EscapesControlBytesInMessages) {
  const MessageCase kCases[] = {
      {"syntax error", "{\"a\": \x01\x1b[2J}", "\\u0001\\u001b[2J"},
      {"duplicate with control byte", "{\"\x7f\": 1, \"\x7f\": 2}",
       "invalid JSON: \\u007f: duplicate member"},
      {"C1 control and invalid UTF-8", "[\xC2\x9B\xFF]", "\\u009b\\xff"},
      {"case clash", "{\"a\\u0007\": 1, \"A\\u0007\": 2}",
       "members \"A\\u0007\" and \"a\\u0007\" differ only in case"},
  };
  for (const MessageCase& test : kCases) {
    SCOPED_TRACE(test.name);
    absl::StatusOr<google::protobuf::Value> parsed = ParseJson(test.json);
    ASSERT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(test.message)));
    for (char c : parsed.status().message()) {
      unsigned char byte = static_cast<unsigned char>(c);
      EXPECT_TRUE(byte == '\n' || (byte >= 0x20 && byte != 0x7F))
          << "raw byte " << static_cast<int>(byte);
    }
  }
}

TEST(ParseJson, EscapesNulInExcerpt) {
  // A NUL byte ends a C string, so this case cannot be in the table above.
  absl::StatusOr<google::protobuf::Value> parsed =
      ParseJson(std::string("{\"\0\": tru}", 10));
  ASSERT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("{\"\\u0000\": tru}")));
  EXPECT_THAT(parsed.status().message(),
              ::testing::Not(HasSubstr(std::string(1, '\0'))));
}

TEST(ParseJson, KeepsLineBreaksOfCrLfExcerpts) {
  absl::StatusOr<google::protobuf::Value> parsed =
      ParseJson("{\r\n  \"a\": tru\r\n}\r\n");
  ASSERT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("Unexpected token")));
  EXPECT_THAT(parsed.status().message(), ::testing::Not(HasSubstr("\r")));
  EXPECT_THAT(parsed.status().message(), ::testing::Not(HasSubstr("\\r")));
  EXPECT_THAT(parsed.status().message(), HasSubstr("\n"));
}

TEST(ParseJson, NamesPathOfNumberOutOfRange) {
  const MessageCase kCases[] = {
      {"nested",
       R"({"properties": {"securityRules": [{"properties": {"priority": 1e400}}]}})",
       "invalid JSON: properties.securityRules[0].properties.priority: invalid "
       "value 1e400; expected a number within the range of a double"},
      {"negative in array", "[1, -1.5E+999]", "invalid JSON: [1]: invalid value "
                                            "-1.5E+999"},
      {"root", "1e309", "invalid JSON: (root): invalid value 1e309"},
      {"after lenient syntax", "{'a': [1,], b: 2e999}",
       "invalid JSON: b: invalid value 2e999"},
  };
  for (const MessageCase& test : kCases) {
    SCOPED_TRACE(test.name);
    EXPECT_THAT(ParseJson(test.json),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(test.message)));
  }
  // Underflow rounds to zero, as protobuf's parser reads it.
  EXPECT_THAT(ParseJson("[1e-400]"), IsOk());
}

TEST(ParseJson, AcceptsTopLevelArray) {
  ASSERT_OK_AND_ASSIGN(auto value, ParseJson("[1, 2]"));
  EXPECT_EQ(value.list_value().values_size(), 2);
}

TEST(ParseJson, RejectsSyntaxErrors) {
  EXPECT_THAT(ParseJson("{\"a\": }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid JSON")));
  EXPECT_THAT(ParseJson("   "),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty")));
}

TEST(ParseJson, RejectsMembersThatDifferOnlyInCase) {
  const MessageCase kCases[] = {
      {"root", R"({"access": "Allow", "Access": "Deny"})",
       R"((root): members "Access" and "access" differ only in case)"},
      {"nested", R"({"properties": {"securityRules": [{}, {"properties":
          {"priority": 100, "PRIORITY": 200}}]}})",
       "properties.securityRules[1].properties: members \"PRIORITY\" and "
       "\"priority\" differ only in case"},
      {"in array", R"([1, {"id": "a", "ID": "b"}])",
       R"([1]: members "ID" and "id" differ only in case)"},
  };
  for (const MessageCase& test : kCases) {
    SCOPED_TRACE(test.name);
    EXPECT_THAT(ParseJson(test.json),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(test.message)));
  }
  EXPECT_THAT(ParseJson(R"({"a": 1, "a": 2})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid JSON")));
  EXPECT_THAT(ParseJson(R"({"a": {"b": 1}, "c": {"b": 2, "B2": 3}})"), IsOk());
}

TEST(ParseJson, RejectsDuplicateMembersWithPath) {
  const MessageCase kCases[] = {
      {"root", R"({"state": "enabled", "state": "disabled"})",
       "invalid JSON: state: duplicate member; expected each member once"},
      {"nested",
       R"({"value": [{"id": "a", "ipRanges": [{"@odata.type": "x",
           "cidrAddress": "192.0.2.0/24", "cidrAddress": "0.0.0.0/0"}]}]})",
       "invalid JSON: value[0].ipRanges[0].cidrAddress: duplicate member"},
      {"escaped name", R"({"a": 1, "\u0061": 2})",
       "invalid JSON: a: duplicate member"},
      {"after scalars of every kind",
       R"([{"a": "x\"y\\", "b": [1, -2.5e3, 0.5E+2, true, false, null, {}],
           "a": 1}])",
       "invalid JSON: [0].a: duplicate member"},
  };
  for (const MessageCase& test : kCases) {
    SCOPED_TRACE(test.name);
    absl::StatusOr<google::protobuf::Value> parsed = ParseJson(test.json);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(test.message)));
    EXPECT_THAT(parsed.status().message(),
                ::testing::Not(HasSubstr("struct_value")));
  }
  // A syntax error before the repeat is the error reported.
  EXPECT_THAT(ParseJson(R"({"x": tru, "a": 1, "a": 2})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::Not(HasSubstr("duplicate member"))));
  // The same name in two objects is no repeat.
  EXPECT_THAT(ParseJson(R"([{"a": 1}, {"a": 2, "b": {"a": 3}}])"), IsOk());
}

TEST(ParseJson, RejectsDeepNestingWithClearMessage) {
  auto nested = [](int depth, absl::string_view open, absl::string_view close) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += std::string(open);
    text += "1";
    for (int i = 0; i < depth; ++i) text += std::string(close);
    return text;
  };
  EXPECT_THAT(ParseJson(nested(32, "{\"a\":", "}")), IsOk());
  EXPECT_THAT(ParseJson(nested(32, "[", "]")), IsOk());
  EXPECT_THAT(ParseJson(nested(33, "{\"a\":", "}")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting deeper than 32 levels")));
  EXPECT_THAT(ParseJson(nested(100000, "[", "]")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting deeper than 32 levels")));
  // Brackets inside strings, escaped quotes included, do not count.
  std::string in_string = "[\"\\\"" + std::string(100, '[') + "\"]";
  EXPECT_THAT(ParseJson(in_string), IsOk());
  // A double quote inside single quotes does not start a string.
  for (int depth : {33, 100000}) {
    SCOPED_TRACE(depth);
    EXPECT_THAT(ParseJson("['\"', " + nested(depth, "[", "]") + "]"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("nesting deeper than 32 levels")));
  }
}

TEST(Path, BuildsFieldAndIndexPaths) {
  Path path = Path().Field("properties").Field("securityRules").Index(3).Field(
      "priority");
  EXPECT_EQ(path.ToString(), "properties.securityRules[3].priority");
  EXPECT_EQ(Path().ToString(), "(root)");
  EXPECT_EQ(Path().Index(0).Field("id").ToString(), "[0].id");
}

TEST(FindField, PrefersExactThenIgnoresCase) {
  // ParseJson() rejects such a pair, so the object is built by hand.
  google::protobuf::Struct both;
  (*both.mutable_fields())["Actions"].set_number_value(1);
  (*both.mutable_fields())["actions"].set_number_value(2);
  const auto* exact = FindField(both, "Actions");
  ASSERT_NE(exact, nullptr);
  EXPECT_EQ(exact->number_value(), 1);

  ASSERT_OK_AND_ASSIGN(auto pascal, ParseJson(R"({"NotActions": []})"));
  EXPECT_NE(FindField(pascal.struct_value(), "notActions"), nullptr);
  EXPECT_EQ(FindField(pascal.struct_value(), "dataActions"), nullptr);
}

TEST(GetInteger, AcceptsIntegralNumbersAndDecimalStrings) {
  ASSERT_OK_AND_ASSIGN(auto value,
                       ParseJson(R"({"a": 100, "b": "4096", "c": 100.5,
                                     "d": "1e3", "e": 5000, "f": true})"));
  const auto& fields = value.struct_value();
  Path root;
  EXPECT_THAT(GetInteger(*FindField(fields, "a"), root.Field("a"), 100, 4096),
              IsOkAndHolds(100));
  EXPECT_THAT(GetInteger(*FindField(fields, "b"), root.Field("b"), 100, 4096),
              IsOkAndHolds(4096));
  EXPECT_THAT(
      GetInteger(*FindField(fields, "c"), root.Field("c"), 100, 4096),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("c: invalid value 100.5; expected an integer between "
                         "100 and 4096")));
  EXPECT_THAT(GetInteger(*FindField(fields, "d"), root.Field("d"), 0, 9999),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"1e3\"")));
  EXPECT_THAT(GetInteger(*FindField(fields, "e"), root.Field("e"), 100, 4096),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("5000")));
  EXPECT_THAT(GetInteger(*FindField(fields, "f"), root.Field("f"), 0, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("true")));
}

TEST(GetInteger, RejectsLiteralsWithFractionOrExponent) {
  ASSERT_OK_AND_ASSIGN(
      auto value,
      ParseJson(R"({"rounded up": 99.99999999999999999,
                    "rounded down": 4096.0000000000001, "zero fraction": 100.0,
                    "exponent": 1e2, "capital exponent": 1E+2, "point": 100.})"));
  const auto& fields = value.struct_value();
  for (const auto& [name, literal] : std::vector<std::pair<std::string, std::string>>{
           {"rounded up", "99.99999999999999999"},
           {"rounded down", "4096.0000000000001"},
           {"zero fraction", "100.0"},
           {"exponent", "1e2"},
           {"capital exponent", "1E+2"},
           {"point", "100."}}) {
    SCOPED_TRACE(name);
    const google::protobuf::Value* number = FindField(fields, name);
    ASSERT_NE(number, nullptr);
    EXPECT_THAT(
        GetInteger(*number, Path().Field(name), 100, 4096),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(absl::StrCat(
                     name, ": invalid value ", literal,
                     "; expected an integer between 100 and 4096, written "
                     "without a fraction or exponent"))));
    // A copy keeps the literal, as an importer's copy of a member does.
    google::protobuf::Value copy = *number;
    EXPECT_THAT(GetInteger(copy, Path(), 100, 4096),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("without a fraction or exponent")));
    EXPECT_EQ(Describe(copy), literal);
  }
}

TEST(GetInteger, ReadsLongIntegerLiteralsExactly) {
  ASSERT_OK_AND_ASSIGN(
      auto value,
      ParseJson(R"([9007199254740993, -9223372036854775808,
                    9223372036854775808, -0, 123456789012345])"));
  const auto& items = value.list_value().values();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // No double equals 2^53 + 1, so only the literal gives it exactly.
  EXPECT_THAT(GetInteger(items[0], Path(), 0, kMax),
              IsOkAndHolds(int64_t{9007199254740993}));
  EXPECT_EQ(Describe(items[0]), "9007199254740993");
  EXPECT_THAT(GetInteger(items[1], Path(), kMin, kMax), IsOkAndHolds(kMin));
  EXPECT_THAT(GetInteger(items[2], Path().Index(2), kMin, kMax),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("[2]: invalid value 9223372036854775808")));
  EXPECT_THAT(GetInteger(items[3], Path(), 0, 1), IsOkAndHolds(0));
  EXPECT_THAT(GetInteger(items[4], Path(), 0, kMax),
              IsOkAndHolds(int64_t{123456789012345}));
}

TEST(GetInteger, AcceptsIntegralNumbersBuiltInCode) {
  // A number computed by code (an ARM template function, say) has no
  // literal, so its double decides.
  google::protobuf::Value computed;
  computed.set_number_value(100.0);
  EXPECT_THAT(GetInteger(computed, Path(), 100, 4096), IsOkAndHolds(100));
  computed.set_number_value(100.5);
  EXPECT_THAT(GetInteger(computed, Path(), 100, 4096),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid value 100.5")));
}

TEST(GetInteger, ChecksLiteralsAfterLenientSyntax) {
  // Protobuf's parser takes single quotes, unquoted names and trailing
  // commas, and the literals after them are still checked.
  ASSERT_OK_AND_ASSIGN(
      auto value, ParseJson("{'a': [1, 2.0,], b: {\"c\\u0064\": 3e0},}"));
  const auto& fields = value.struct_value();
  const google::protobuf::Value* a = FindField(fields, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(GetInteger(a->list_value().values(0), Path(), 0, 9),
              IsOkAndHolds(1));
  EXPECT_THAT(GetInteger(a->list_value().values(1), Path(), 0, 9),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid value 2.0")));
  const google::protobuf::Value* b = FindField(fields, "b");
  ASSERT_NE(b, nullptr);
  const google::protobuf::Value* cd = FindField(b->struct_value(), "cd");
  ASSERT_NE(cd, nullptr);
  EXPECT_THAT(GetInteger(*cd, Path(), 0, 9),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid value 3e0")));
}

TEST(Describe, EscapesControlCharacters) {
  ASSERT_OK_AND_ASSIGN(auto value,
                       ParseJson(R"({"name\u0000": "red\u001b[31m\ttext"})"));
  EXPECT_EQ(Describe(value), R"({"name\u0000":"red\u001b[31m\ttext"})");
  EXPECT_EQ(Path().Field("a\nb").Field("c").ToString(), R"(a\nb.c)");
}

TEST(TypedGetters, NameTheExpectedType) {
  ASSERT_OK_AND_ASSIGN(auto value, ParseJson(R"({"s": 1, "o": [], "l": {}})"));
  const auto& fields = value.struct_value();
  Path root;
  EXPECT_THAT(GetString(*FindField(fields, "s"), root.Field("s")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("s: invalid value 1; expected a string")));
  EXPECT_THAT(GetObject(*FindField(fields, "o"), root.Field("o")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected an object")));
  EXPECT_THAT(GetArray(*FindField(fields, "l"), root.Field("l")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected an array")));
  EXPECT_THAT(GetBool(*FindField(fields, "s"), root.Field("s")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected true or false")));
}

TEST(Describe, CutsLongValues) {
  std::string long_string(200, 'x');
  google::protobuf::Value value;
  value.set_string_value(long_string);
  std::string described = Describe(value);
  EXPECT_LE(described.size(), 80u);
  EXPECT_THAT(described, HasSubstr("..."));
}

TEST(IsNullOrAbsent, CoversNullAndMissing) {
  google::protobuf::Value null_value;
  null_value.set_null_value(google::protobuf::NULL_VALUE);
  EXPECT_TRUE(IsNullOrAbsent(nullptr));
  EXPECT_TRUE(IsNullOrAbsent(&null_value));
  google::protobuf::Value text;
  text.set_string_value("");
  EXPECT_FALSE(IsNullOrAbsent(&text));
}

google::protobuf::Struct ListPage(absl::string_view json) {
  absl::StatusOr<google::protobuf::Value> value = ParseJson(json);
  EXPECT_THAT(value, IsOk());
  return value.ok() ? value->struct_value() : google::protobuf::Struct();
}

TEST(RejectNextPageLink, NamesTheLinkAndItsValue) {
  EXPECT_THAT(
      RejectNextPageLink(
          ListPage(R"({"value": [], "nextLink": "https://example.test/p2"})"),
          Path().Field("body")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("body.nextLink: the file is one page of a paged Azure "
                         "Resource Manager list, so the items on later pages "
                         "are missing; follow nextLink "
                         "(\"https://example.test/p2\") and merge every "
                         "page's value array into one file")));
  EXPECT_THAT(
      RejectNextPageLink(
          ListPage(R"({"value": [], "@odata.nextLink": "https://example.test/p2"})"),
          Path()),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("@odata.nextLink: the file is one page of a paged "
                         "Graph list")));
  EXPECT_THAT(
      RejectNextPageLink(
          ListPage(R"({"value": [], "NextLink": "https://example.test/p2"})"),
          Path()),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("follow NextLink (\"https://example.test/p2\") and "
                         "merge")));
  EXPECT_THAT(RejectNextPageLink(ListPage(R"({"value": [], "nextLink": 3})"),
                                 Path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nextLink: invalid value 3; expected the URL "
                                 "of the next page")));
}

TEST(RejectNextPageLink, LastPagePasses) {
  for (absl::string_view json :
       {R"({"value": []})", R"({"value": [], "nextLink": null})",
        R"({"value": [], "nextLink": ""})",
        R"({"value": [], "@odata.nextLink": null, "@odata.context": "x"})"}) {
    EXPECT_THAT(RejectNextPageLink(ListPage(json), Path()), IsOk()) << json;
  }
}

}  // namespace
}  // namespace portcullis::json
