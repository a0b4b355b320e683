// Fuzzes JSON decoding and parsing: any input either fails with a status or
// yields a value whose description and field lookups do not crash.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "json/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto value = portcullis::json::ParseJson(bytes);
  if (!value.ok()) return 0;

  portcullis::json::Describe(*value);
  if (value->has_struct_value()) {
    portcullis::json::FindField(value->struct_value(), "properties");
  }
  return 0;
}
