// A problem that a Conditional Access importer accepted, with its JSON path.
#ifndef PORTCULLIS_ACCESS_CA_IMPORT_WARNING_H_
#define PORTCULLIS_ACCESS_CA_IMPORT_WARNING_H_

#include <string>

namespace portcullis::access {

// Something the importer accepted but changed or could not fully use.
struct ImportWarning {
  std::string path;     // JSON path, such as "conditions.locations"
  std::string message;  // lower case, such as "expected an object, ..."

  // "path: message".
  std::string ToString() const;
};

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_IMPORT_WARNING_H_
