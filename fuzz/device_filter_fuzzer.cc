// Fuzzes the device filter parser: every input must parse or fail cleanly,
// and a parsed rule must print (ToString) to text that parses to the same
// rule and evaluates the same on a few devices.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "access/device_filter.h"

namespace {

using portcullis::access::DeviceFilter;
using portcullis::access::DeviceFilterOptions;
using portcullis::access::DeviceInfo;
using portcullis::access::DeviceProperty;
using portcullis::access::NullSemantics;

std::vector<DeviceInfo> Devices() {
  std::vector<DeviceInfo> devices(3);
  devices[1].Set(DeviceProperty::kTrustType, "ServerAD");
  devices[1].Set(DeviceProperty::kIsCompliant, "True");
  devices[1].Set(DeviceProperty::kDisplayName, "SAW-0042");
  devices[1].Set(DeviceProperty::kExtensionAttribute1, "SAW");
  devices[1].Add(DeviceProperty::kSystemLabels, "CloudPC");
  devices[2].Set(DeviceProperty::kTrustType, "Workplace");
  devices[2].Set(DeviceProperty::kDeviceOwnership, "Personal");
  devices[2].Add(DeviceProperty::kPhysicalIds, "[ZTDId]:x");
  return devices;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view rule(reinterpret_cast<const char*>(data), size);
  static const std::vector<DeviceInfo>* const kDevices =
      new std::vector<DeviceInfo>(Devices());
  for (NullSemantics semantics :
       {NullSemantics::kDocumented, NullSemantics::kFieldReport}) {
    DeviceFilterOptions options;
    options.null_semantics = semantics;
    options.regex_max_memory = 1 << 16;
    absl::StatusOr<DeviceFilter> filter = DeviceFilter::Parse(rule, options);
    if (!filter.ok()) {
      if (filter.status().message().empty()) std::abort();
      return 0;
    }
    std::string printed = filter->ToString();
    absl::StatusOr<DeviceFilter> again = DeviceFilter::Parse(printed, options);
    if (!again.ok() && printed.size() <= DeviceFilter::kMaxRuleLength) {
      std::fprintf(stderr, "printed rule does not parse: %s\n",
                   std::string(again.status().message()).c_str());
      std::abort();
    }
    if (!again.ok()) continue;  // printing added quotes beyond the limit
    if (again->ToString() != printed) std::abort();
    for (const DeviceInfo& device : *kDevices) {
      if (filter->Evaluate(device) != again->Evaluate(device)) std::abort();
    }
  }
  return 0;
}
