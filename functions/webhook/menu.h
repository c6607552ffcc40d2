// The command menu registered with setMyCommands, per UI language (POST /telegram/setup).
#pragma once

#include <string>

#include "shared/i18n.h"

namespace webhook {

// The `commands` array for setMyCommands in `lang`.
std::string commandMenuJson(i18n::Lang lang);

}  // namespace webhook
