// How field errors of a VM spec travel inside a Status: kInvalidArgument with the message
// "vm spec: <field>: <message>; <field>: <message>". Checks that run deep in the VM manager (host
// paths, images) use it, and the API turns such a status back into a 422 naming the fields.
#pragma once

#include <vector>

#include "common/status.h"
#include "vm/vm_spec.h"

namespace novacron::vm {

// kInvalidArgument "vm spec: " + FormatFieldErrors(errors).
Status SpecErrorStatus(const std::vector<FieldError>& errors);

// The field errors of a status made by SpecErrorStatus (also after Wrap); empty for any other
// status. A message is split before each "; <field>: " whose field looks like a spec field path
// ("kernel", "disks[1].base_image").
std::vector<FieldError> SpecErrorsOf(const Status& status);

}  // namespace novacron::vm
