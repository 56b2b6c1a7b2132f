#include "model/chaincode/chaincode.h"

namespace fabsim::chaincode {

std::string FunctionSpec::signature() const {
  std::string out = name + "(";
  const size_t required = variadic ? args.size() : args.size() - optional;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool last = i + 1 == args.size();
    const std::string sep = i == 0 ? "" : ", ";
    if (variadic && last) {
      out += sep + args[i] + "...";
    } else if (i >= required) {
      out += "[" + sep + args[i];
      if (last) out += std::string(args.size() - required, ']');
    } else {
      out += sep + args[i];
    }
  }
  return out + ")";
}

std::vector<std::string> split_arg_names(const char* names) {
  std::vector<std::string> out;
  std::string current;
  for (const char* p = names; *p != '\0'; ++p) {
    if (*p == ',') {
      out.push_back(current);
      current.clear();
    } else if (*p != ' ') {
      current += *p;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

}  // namespace fabsim::chaincode
