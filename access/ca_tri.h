// Three-valued logic for Conditional Access conditions.
//
// A condition can hold, fail, or depend on a fact the sign-in did not supply
// (its country, its device, its risk). Kleene's strong three-valued logic
// combines such results: `kUnknown -and kFalse` is kFalse because the missing
// fact cannot change the outcome, while `kUnknown -and kTrue` stays kUnknown.
//
//   Tri in_scope = And(users, Not(excluded));
//   if (in_scope == Tri::kUnknown) ...  // strict mode: notEnoughInformation
#ifndef PORTCULLIS_ACCESS_CA_TRI_H_
#define PORTCULLIS_ACCESS_CA_TRI_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace portcullis::access {

enum class Tri : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };

constexpr Tri ToTri(bool value) { return value ? Tri::kTrue : Tri::kFalse; }

constexpr Tri Not(Tri a) {
  return a == Tri::kUnknown ? Tri::kUnknown
                            : (a == Tri::kTrue ? Tri::kFalse : Tri::kTrue);
}

constexpr Tri And(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kTrue;
}

constexpr Tri Or(Tri a, Tri b) {
  if (a == Tri::kTrue || b == Tri::kTrue) return Tri::kTrue;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kFalse;
}

// "true", "false" or "unknown".
constexpr absl::string_view TriName(Tri a) {
  return a == Tri::kTrue ? "true" : (a == Tri::kFalse ? "false" : "unknown");
}

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_TRI_H_
