// The reference architecture's inputs built in code, without reading JSON.
//
// ThreadSanitizer builds cannot parse JSON here: protobuf adds members to
// map fields when compiled with -fsanitize=thread, and Debian's libprotobuf
// was compiled without it, so google::protobuf::Struct values built by the
// library are laid out differently from what instrumented code reads. Tests
// that run under TSan build their inputs with this instead.
#ifndef PORTCULLIS_TESTS_DECIDE_INLINE_INPUTS_H_
#define PORTCULLIS_TESTS_DECIDE_INLINE_INPUTS_H_

#include <string>

#include "access/ca_sign_in.h"
#include "decide/decide.h"
#include "decide/snapshot.h"

namespace portcullis::decide::testing {

struct InlineInputs {
  SnapshotInput input;
  // Alex on a compliant device with MFA, from on premises.
  access::SignIn sign_in;
  std::string vm_id;

  // Alex through the bastion to port 22 of the VM.
  Attempt attempt() const;
};

// Conditional Access requiring MFA for Azure management, a PIM policy with
// Alex's eligibility and an activation request judged at `now`, the custom
// role, the three NSGs, the VM's NIC and its JIT policy. With
// `with_jit_grant`, the JIT policy contains a request that opens port 22 to the
// bastion subnet from 09:00 to 10:00 on 2 March 2026.
InlineInputs MakeInlineInputs(bool with_jit_grant);

}  // namespace portcullis::decide::testing

#endif  // PORTCULLIS_TESTS_DECIDE_INLINE_INPUTS_H_
