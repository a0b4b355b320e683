// Bit sets over the policies of a compiled Conditional Access policy set,
// and Kleene three-valued logic over them.
//
// Evaluation works on whole sets at once: "the policies whose user
// condition holds", "the policies whose location condition is unknown". A
// TriMask holds two disjoint sets, `t` (condition true) and `u` (unknown);
// every other policy has the condition false. Up to 256 policies fit inline,
// so evaluation allocates nothing for any tenant within Microsoft's limit of
// 195 policies.
#ifndef PORTCULLIS_ACCESS_INTERNAL_CA_POLICY_MASK_H_
#define PORTCULLIS_ACCESS_INTERNAL_CA_POLICY_MASK_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/inlined_vector.h"

namespace portcullis::access::internal {

class PolicyMask {
 public:
  PolicyMask() = default;
  explicit PolicyMask(size_t words) : words_(words, 0) {}

  void Set(int bit) { words_[bit >> 6] |= uint64_t{1} << (bit & 63); }
  bool Test(int bit) const { return (words_[bit >> 6] >> (bit & 63)) & 1; }
  bool Any() const {
    for (uint64_t w : words_) {
      if (w != 0) return true;
    }
    return false;
  }
  // The lowest set bit at or after `from`, or -1.
  int Next(int from) const {
    size_t i = static_cast<size_t>(from) >> 6;
    if (i >= words_.size()) return -1;
    uint64_t w = words_[i] & (~uint64_t{0} << (from & 63));
    while (true) {
      if (w != 0) return static_cast<int>(i * 64) + __builtin_ctzll(w);
      if (++i >= words_.size()) return -1;
      w = words_[i];
    }
  }

  PolicyMask& operator|=(const PolicyMask& o) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= o.words_[i];
    return *this;
  }
  PolicyMask& operator&=(const PolicyMask& o) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= o.words_[i];
    return *this;
  }
  // Clears the bits set in `o`.
  PolicyMask& Remove(const PolicyMask& o) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= ~o.words_[i];
    return *this;
  }
  friend PolicyMask operator|(PolicyMask a, const PolicyMask& b) {
    return a |= b;
  }
  friend PolicyMask operator&(PolicyMask a, const PolicyMask& b) {
    return a &= b;
  }
  friend PolicyMask Minus(PolicyMask a, const PolicyMask& b) {
    return a.Remove(b);
  }
  friend bool operator==(const PolicyMask& a, const PolicyMask& b) {
    return a.words_ == b.words_;
  }

 private:
  absl::InlinedVector<uint64_t, 4> words_;
};

// Policies for which a condition is true (`t`) or unknown (`u`); `t` and `u`
// never share a bit.
struct TriMask {
  PolicyMask t;
  PolicyMask u;
};

// Kleene conjunction: true when both are true; false when either is false.
inline TriMask And(const TriMask& a, const TriMask& b) {
  TriMask r;
  r.t = a.t & b.t;
  r.u = Minus((a.t | a.u) & (b.t | b.u), r.t);
  return r;
}

// Kleene disjunction: true when either is true; false when both are false.
inline TriMask Or(const TriMask& a, const TriMask& b) {
  TriMask r;
  r.t = a.t | b.t;
  r.u = Minus(a.u | b.u, r.t);
  return r;
}

// Kleene negation within `valid` (the policies that exist).
inline TriMask Not(const TriMask& a, const PolicyMask& valid) {
  TriMask r;
  r.t = Minus(Minus(valid, a.t), a.u);
  r.u = a.u;
  return r;
}

}  // namespace portcullis::access::internal

#endif  // PORTCULLIS_ACCESS_INTERNAL_CA_POLICY_MASK_H_
