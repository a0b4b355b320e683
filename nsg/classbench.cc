#include "nsg/classbench.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace portcullis::nsg {

namespace {

constexpr size_t kMaxQuoted = 40;

std::string Quote(absl::string_view text) {
  if (text.size() > kMaxQuoted) {
    return absl::StrCat("\"", text.substr(0, kMaxQuoted), "...\"");
  }
  return absl::StrCat("\"", text, "\"");
}

absl::Status LineError(size_t line, absl::string_view what,
                       absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      "line ", line, ": invalid ", what, " ", Quote(value), "; expected ",
      expected));
}

// Splits a line at runs of spaces and tabs.
std::vector<absl::string_view> Fields(absl::string_view line) {
  return absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
}

bool ParseOctet(absl::string_view text, uint32_t* octet) {
  if (text.empty() || text.size() > 3) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, octet) && *octet <= 255;
}

// Parses "a.b.c.d/len", clearing host bits.
bool ParseCidr(absl::string_view text, Ipv4Cidr* cidr) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() != 2) return false;
  std::vector<absl::string_view> octets = absl::StrSplit(parts[0], '.');
  if (octets.size() != 4) return false;
  uint32_t address = 0;
  for (absl::string_view octet_text : octets) {
    uint32_t octet = 0;
    if (!ParseOctet(octet_text, &octet)) return false;
    address = (address << 8) | octet;
  }
  uint32_t length = 0;
  if (!ParseOctet(parts[1], &length) || length > 32) return false;
  cidr->length = static_cast<uint8_t>(length);
  cidr->address = address & Ipv4Mask(cidr->length);
  return true;
}

bool ParsePort(absl::string_view text, uint16_t* port) {
  uint32_t value = 0;
  if (text.empty() || text.size() > 5) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (!absl::SimpleAtoi(text, &value) || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

bool ParseHexByte(absl::string_view text, uint32_t* value) {
  if (text.size() < 3 || text.size() > 4) return false;
  if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return false;
  for (char c : text.substr(2)) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleHexAtoi(text.substr(2), value) && *value <= 255;
}

// Parses "0xPP/0xMM"; mask 0xFF means exactly PP, mask 0x00 means any.
absl::Status ParseProtocol(absl::string_view text, size_t line,
                           std::optional<uint8_t>* protocol) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  uint32_t value = 0;
  uint32_t mask = 0;
  if (parts.size() != 2 || !ParseHexByte(parts[0], &value) ||
      !ParseHexByte(parts[1], &mask)) {
    return LineError(line, "protocol", text, "0xPP/0xMM in hexadecimal");
  }
  if (mask == 0xff) {
    *protocol = static_cast<uint8_t>(value);
  } else if (mask == 0) {
    *protocol = std::nullopt;
  } else {
    return LineError(line, "protocol", text, "a mask of 0xFF or 0x00");
  }
  return absl::OkStatus();
}

// True for "0xV/0xM" with one to eight hexadecimal digits in each part.
bool IsHexFlags(absl::string_view text) {
  auto is_hex = [](absl::string_view part) {
    if (!absl::ConsumePrefix(&part, "0x") && !absl::ConsumePrefix(&part, "0X")) return false;
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  };
  const size_t slash = text.find('/');
  return slash != absl::string_view::npos && is_hex(text.substr(0, slash)) &&
         is_hex(text.substr(slash + 1));
}

// Parses "LO : HI" starting at fields[at]: three fields.
absl::Status ParseInterval(const std::vector<absl::string_view>& fields,
                           size_t at, size_t line, absl::string_view what,
                           PortInterval* interval) {
  const std::string text =
      absl::StrCat(fields[at], " ", fields[at + 1], " ", fields[at + 2]);
  if (fields[at + 1] != ":" || !ParsePort(fields[at], &interval->first) ||
      !ParsePort(fields[at + 2], &interval->last)) {
    return LineError(line, what, text, "LO : HI with ports 0 to 65535");
  }
  if (interval->first > interval->last) {
    return LineError(line, what, text, "LO <= HI");
  }
  return absl::OkStatus();
}

absl::Status ParseRuleLine(absl::string_view line_text, size_t line,
                           TableRule* rule) {
  std::vector<absl::string_view> fields = Fields(line_text);
  if (fields.size() != 9 && fields.size() != 10) {
    return LineError(line, "rule", line_text,
                     "@SRC/LEN DST/LEN LO : HI LO : HI 0xPP/0xMM [FLAGS]");
  }
  if (fields[0].empty() || fields[0][0] != '@') {
    return LineError(line, "rule", fields[0], "a line starting with '@'");
  }
  Ipv4Cidr source;
  if (!ParseCidr(fields[0].substr(1), &source)) {
    return LineError(line, "source", fields[0].substr(1), "a.b.c.d/len");
  }
  Ipv4Cidr destination;
  if (!ParseCidr(fields[1], &destination)) {
    return LineError(line, "destination", fields[1], "a.b.c.d/len");
  }
  PortInterval source_ports;
  absl::Status status =
      ParseInterval(fields, 2, line, "source ports", &source_ports);
  if (!status.ok()) return status;
  PortInterval destination_ports;
  status = ParseInterval(fields, 5, line, "destination ports",
                         &destination_ports);
  if (!status.ok()) return status;
  status = ParseProtocol(fields[8], line, &rule->protocol);
  if (!status.ok()) return status;
  // The flags field does not take part in 5-tuple matching, but it must
  // still have its form, so that a damaged line is not read as a rule.
  if (fields.size() == 10 && !IsHexFlags(fields[9])) {
    return LineError(line, "flags", fields[9], "0xVVVV/0xMMMM in hexadecimal");
  }

  rule->source_v4 = {source};
  rule->destination_v4 = {destination};
  rule->source_ports = {source_ports};
  rule->destination_ports = {destination_ports};
  rule->access = RuleAccess::kAllow;
  return absl::OkStatus();
}

template <typename T>
bool ParseDecimal(absl::string_view text, uint64_t max, T* out) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (!absl::SimpleAtoi(text, &value) || value > max) return false;
  *out = static_cast<T>(value);
  return true;
}

}  // namespace

absl::StatusOr<RuleTable> ParseClassBenchRules(absl::string_view text) {
  std::vector<TableRule> rules;
  size_t line = 0;
  for (absl::string_view line_text : absl::StrSplit(text, '\n')) {
    ++line;
    if (Fields(line_text).empty()) continue;
    TableRule rule;
    rule.priority = static_cast<uint32_t>(rules.size());
    absl::Status status = ParseRuleLine(line_text, line, &rule);
    if (!status.ok()) return status;
    rules.push_back(std::move(rule));
  }
  return RuleTable::Create(std::move(rules));
}

absl::StatusOr<std::vector<FlowV4>> ParseClassBenchTrace(absl::string_view text) {
  std::vector<FlowV4> flows;
  size_t line = 0;
  // The output has one result per trace line, so a blank line before the end
  // would shift every later result.
  text = absl::StripTrailingAsciiWhitespace(text);
  if (text.empty()) return flows;
  for (absl::string_view line_text : absl::StrSplit(text, '\n')) {
    ++line;
    std::vector<absl::string_view> fields = Fields(line_text);
    if (fields.empty()) {
      return LineError(line, "trace line", line_text,
                       "a header on every line, because the answers are printed one per "
                       "trace line");
    }
    if (fields.size() < 5) {
      return LineError(line, "trace line", line_text,
                       "SRC DST SPORT DPORT PROTO [more columns]");
    }
    FlowV4 flow;
    if (!ParseDecimal(fields[0], 0xffffffffu, &flow.source)) {
      return LineError(line, "source", fields[0], "an integer 0 to 4294967295");
    }
    if (!ParseDecimal(fields[1], 0xffffffffu, &flow.destination)) {
      return LineError(line, "destination", fields[1],
                       "an integer 0 to 4294967295");
    }
    if (!ParseDecimal(fields[2], 65535, &flow.source_port)) {
      return LineError(line, "source port", fields[2], "an integer 0 to 65535");
    }
    if (!ParseDecimal(fields[3], 65535, &flow.destination_port)) {
      return LineError(line, "destination port", fields[3],
                       "an integer 0 to 65535");
    }
    if (!ParseDecimal(fields[4], 255, &flow.protocol)) {
      return LineError(line, "protocol", fields[4], "an integer 0 to 255");
    }
    // The optional columns (flags, and the rule the header was generated
    // from) are ignored, but must be integers like the others.
    for (size_t i = 5; i < fields.size(); ++i) {
      uint32_t ignored = 0;
      if (!ParseDecimal(fields[i], 0xffffffffu, &ignored)) {
        return LineError(line, absl::StrCat("column ", i + 1), fields[i],
                         "an integer 0 to 4294967295");
      }
    }
    flows.push_back(flow);
  }
  return flows;
}

}  // namespace portcullis::nsg
