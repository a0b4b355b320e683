// Fuzzes the What-If request reader, the directory reader and the satisfied
// controls.
//
// The input is a directory file, a line `---`, a What-If request body,
// another `---` line and a --satisfied-controls list. Each reader must fail
// cleanly or succeed, and what succeeds must keep the readers' promises:
// no sign-in with a platform Conditional Access does not name, and no
// accepted compliantDevice claim on a device that is not compliant.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "access/ca_sign_in.h"
#include "access/ca_sign_in_import.h"
#include "access/device_filter.h"
#include "proto/ca.pb.h"

namespace {

using namespace portcullis::access;  // NOLINT: a fuzzer's single function.
namespace ca = portcullis::ca;

void Check(bool condition, const char* failure) {
  if (!condition) {
    std::fprintf(stderr, "sign-in reader check failed: %s\n", failure);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    size_t separator = input.find("\n---\n");
    parts[i] = input.substr(0, separator);
    input = separator == absl::string_view::npos ? absl::string_view()
                                                 : input.substr(separator + 5);
  }
  parts[2] = input;

  absl::StatusOr<Directory> directory = ParseDirectory(parts[0]);
  absl::StatusOr<ParsedSignIn> parsed =
      ParseWhatIfRequest(parts[1], directory.ok() ? &*directory : nullptr);
  if (!parsed.ok()) return 0;
  SignIn& sign_in = parsed->sign_in;
  Check(!sign_in.device_platform.has_value() ||
            *sign_in.device_platform != ca::DEVICE_PLATFORM_UNSPECIFIED,
        "a platform outside Conditional Access's names");

  if (!ParseSatisfiedControls(parts[2], &sign_in.satisfied).ok()) return 0;
  if (!CheckControlsAgainstDevice(sign_in).ok()) return 0;
  if (sign_in.device.has_value()) {
    const std::string* compliant = sign_in.device->Get(DeviceProperty::kIsCompliant);
    Check(compliant == nullptr || absl::EqualsIgnoreCase(*compliant, "true") ||
              (sign_in.satisfied.built_in &
               ControlBit(ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE)) == 0,
          "compliantDevice accepted on a device that is not compliant");
  }
  return 0;
}
