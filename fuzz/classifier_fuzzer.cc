// Compares the compiled classifier, on both engines, with the reference
// evaluator on rule tables and flows decoded from the input. Any
// disagreement, between single and batch lookups too, aborts.
//
// Input layout: one byte of options, one byte of rule count, then each rule
// (see DecodeRule), then flows of 13 bytes (IPv4) or 37 bytes (IPv6) chosen
// by one leading byte each. Flows at the first and last address of every
// rule prefix are added as well, so short inputs still hit rule edges.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "nsg/classifier.h"
#include "nsg/rule_table.h"

namespace {

using portcullis::nsg::Classifier;
using portcullis::nsg::ClassifierOptions;
using portcullis::nsg::FlowV4;
using portcullis::nsg::FlowV6;
using portcullis::nsg::Ipv4Cidr;
using portcullis::nsg::Ipv4Mask;
using portcullis::nsg::Ipv6Cidr;
using portcullis::nsg::Ipv6Mask;
using portcullis::nsg::PortInterval;
using portcullis::nsg::RuleMatch;
using portcullis::nsg::RuleTable;
using portcullis::nsg::TableRule;

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return position_ >= size_; }
  uint8_t Byte() { return position_ < size_ ? data_[position_++] : 0; }
  uint16_t Word() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  uint32_t Long() { return static_cast<uint32_t>(Word()) << 16 | Word(); }
  absl::uint128 Wide() {
    const uint64_t high = static_cast<uint64_t>(Long()) << 32 | Long();
    const uint64_t low = static_cast<uint64_t>(Long()) << 32 | Long();
    return absl::MakeUint128(high, low);
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

std::vector<Ipv4Cidr> DecodeV4Set(Reader& in) {
  const uint8_t header = in.Byte();
  if (header & 0x80) return {Ipv4Cidr::Any()};
  std::vector<Ipv4Cidr> set;
  for (int i = 0; i < (header & 7); ++i) {
    const uint8_t length = in.Byte() % 33;
    set.push_back(Ipv4Cidr{in.Long() & Ipv4Mask(length), length});
  }
  return set;
}

std::vector<Ipv6Cidr> DecodeV6Set(Reader& in) {
  const uint8_t header = in.Byte();
  if (header & 0x80) return {Ipv6Cidr::Any()};
  std::vector<Ipv6Cidr> set;
  for (int i = 0; i < (header & 3); ++i) {
    const uint8_t length = in.Byte() % 129;
    // Few distinct high bits, so that prefixes overlap.
    const absl::uint128 address =
        absl::MakeUint128(0x20010DB800000000u | (in.Byte() & 3), 0) | in.Wide() >> 64;
    set.push_back(Ipv6Cidr{address & Ipv6Mask(length), length});
  }
  return set;
}

std::vector<PortInterval> DecodePorts(Reader& in) {
  const uint8_t header = in.Byte();
  if (header & 0x80) return {PortInterval::Any()};
  std::vector<PortInterval> ports;
  for (int i = 0; i < (header & 3); ++i) {
    uint16_t first = in.Word();
    uint16_t last = in.Word();
    if (first > last) std::swap(first, last);
    ports.push_back(PortInterval{first, last});
  }
  return ports;
}

// A rule: flags, priority, address sets by family, port sets, protocol.
TableRule DecodeRule(Reader& in) {
  TableRule rule;
  const uint8_t flags = in.Byte();
  rule.priority = in.Byte() % 16;
  if (flags & 1) {
    rule.source_v4 = DecodeV4Set(in);
    rule.destination_v4 = DecodeV4Set(in);
  }
  if (flags & 2) {
    rule.source_v6 = DecodeV6Set(in);
    rule.destination_v6 = DecodeV6Set(in);
  }
  rule.source_ports = DecodePorts(in);
  rule.destination_ports = DecodePorts(in);
  if (flags & 4) rule.protocol = in.Byte();
  rule.access = (flags & 8) ? portcullis::nsg::RuleAccess::kAllow
                            : portcullis::nsg::RuleAccess::kDeny;
  return rule;
}

template <typename Flow>
void Check(const RuleTable& table, const Classifier& classifier,
           const std::vector<Flow>& flows) {
  std::vector<RuleMatch> batch(flows.size());
  classifier.LookupBatch(flows, absl::MakeSpan(batch));
  for (size_t i = 0; i < flows.size(); ++i) {
    const RuleMatch expected = table.ReferenceLookup(flows[i]);
    if (classifier.Lookup(flows[i]) != expected || batch[i] != expected) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(data, size);
  const uint8_t option_bits = in.Byte();
  ClassifierOptions options;
  options.collision_limit = 1 + (option_bits & 3);
  options.max_cross_product = 1 + ((option_bits >> 2) & 7);
  if (option_bits & 0x20) {
    // The layout of large tables: interleaved batches and dense hash slots.
    options.interleave_min_bytes = 0;
    options.dense_slots_min_bytes = 0;
  }
  if (option_bits & 0x40) options.allow_avx512 = false;
  if (option_bits & 0x80) options.allow_avx2 = false;

  std::vector<TableRule> rules;
  const int rule_count = in.Byte() % 24;
  for (int i = 0; i < rule_count && !in.empty(); ++i) rules.push_back(DecodeRule(in));
  absl::StatusOr<RuleTable> table = RuleTable::Create(rules);
  if (!table.ok()) std::abort();  // decoded rules are always valid
  // The options byte tunes the tuple space; the bit-vector engine gets the
  // same table, with the SIMD choices of the same bits, and once more with
  // its portable AND.
  options.engine = portcullis::nsg::ClassifierEngine::kTupleSpace;
  absl::StatusOr<Classifier> classifier = Classifier::Compile(*table, options);
  if (!classifier.ok()) std::abort();
  options.engine = portcullis::nsg::ClassifierEngine::kBitVector;
  absl::StatusOr<Classifier> bits = Classifier::Compile(*table, options);
  if (!bits.ok() || bits->engine_v4() != portcullis::nsg::ClassifierEngine::kBitVector ||
      bits->engine_v6() != portcullis::nsg::ClassifierEngine::kBitVector) {
    std::abort();
  }
  options.allow_avx512 = false;
  options.allow_avx2 = false;
  // Inputs with an odd rule count check the layout without service rows.
  options.bit_vector_service_rows = rule_count % 2 == 0;
  absl::StatusOr<Classifier> portable_bits = Classifier::Compile(*table, options);
  if (!portable_bits.ok()) std::abort();

  std::vector<FlowV4> v4;
  std::vector<FlowV6> v6;
  for (const TableRule& rule : rules) {
    const uint16_t port = rule.destination_ports.empty() ? 0 : rule.destination_ports[0].last;
    const uint8_t protocol = rule.protocol.value_or(6);
    for (size_t i = 0; i < rule.source_v4.size() && i < rule.destination_v4.size(); ++i) {
      const Ipv4Cidr& source = rule.source_v4[i];
      const Ipv4Cidr& destination = rule.destination_v4[i];
      v4.push_back({source.address, destination.address, 0, port, protocol});
      v4.push_back({source.address | ~Ipv4Mask(source.length),
                    destination.address | ~Ipv4Mask(destination.length), 65535, port,
                    protocol});
    }
    for (size_t i = 0; i < rule.source_v6.size() && i < rule.destination_v6.size(); ++i) {
      const Ipv6Cidr& source = rule.source_v6[i];
      const Ipv6Cidr& destination = rule.destination_v6[i];
      v6.push_back({source.address, destination.address, 0, port, protocol});
      v6.push_back({source.address | ~Ipv6Mask(source.length),
                    destination.address | ~Ipv6Mask(destination.length), 65535, port,
                    protocol});
    }
  }
  while (!in.empty()) {
    if (in.Byte() & 1) {
      FlowV6 flow;
      flow.source = absl::MakeUint128(0x20010DB800000000u | (in.Byte() & 3), 0) |
                    in.Wide() >> 64;
      flow.destination = absl::MakeUint128(0x20010DB800000000u | (in.Byte() & 3), 0) |
                         in.Wide() >> 64;
      flow.source_port = in.Word();
      flow.destination_port = in.Word();
      flow.protocol = in.Byte();
      v6.push_back(flow);
    } else {
      FlowV4 flow;
      flow.source = in.Long();
      flow.destination = in.Long();
      flow.source_port = in.Word();
      flow.destination_port = in.Word();
      flow.protocol = in.Byte();
      v4.push_back(flow);
    }
  }
  Check(*table, *classifier, v4);
  Check(*table, *classifier, v6);
  Check(*table, *bits, v4);
  Check(*table, *bits, v6);
  Check(*table, *portable_bits, v4);
  Check(*table, *portable_bits, v6);
  return 0;
}
