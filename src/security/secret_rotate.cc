// Re-encrypting the enc:v1: values of a configuration file in place (see secret_rotate.h).
// yaml-cpp finds each scalar, its key path and its byte offset; the replacement is spliced into
// the original text so comments, order and formatting survive.
#include "security/secret_rotate.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

#include "security/secret_file.h"
#include "security/secret_value.h"

namespace novacron::security {
namespace {

constexpr size_t kMaxConfigBytes = 4 << 20;  // as the configuration loader

struct FoundValue {
  std::string path;  // "storage.connection_string", "api.cors_allowed_origins[1]"
  size_t offset = 0;
  int line = 0;
  std::string value;
};

void Collect(const YAML::Node& node, const std::string& path, std::vector<FoundValue>& out) {
  if (node.IsScalar()) {
    if (IsEncryptedValue(node.Scalar())) {
      const YAML::Mark mark = node.Mark();
      out.push_back({path, static_cast<size_t>(mark.pos), mark.line + 1, node.Scalar()});
    }
  } else if (node.IsSequence()) {
    size_t i = 0;
    for (const YAML::Node& item : node) Collect(item, path + "[" + std::to_string(i++) + "]", out);
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      const YAML::Node key = entry.first;
      const YAML::Node value = entry.second;
      std::string name = key.IsScalar() ? key.Scalar() : "?";
      Collect(value, path.empty() ? name : path + "." + name, out);
    }
  }
}

}  // namespace

Result<RotationResult> RotateConfigText(std::string_view text, std::string_view file_name,
                                        const SecretKey& old_key, const SecretKey& new_key) {
  const std::string file(file_name);
  std::vector<FoundValue> found;
  try {
    Collect(YAML::Load(std::string(text)), "", found);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) +
                           ": invalid YAML/JSON: " + e.msg);
  }
  std::sort(found.begin(), found.end(),
            [](const FoundValue& a, const FoundValue& b) { return a.offset < b.offset; });

  RotationResult result;
  std::string out;
  size_t copied = 0;
  for (const FoundValue& f : found) {
    std::string where = file + ":" + std::to_string(f.line) + ": " + f.path + ": ";
    // The mark is at the scalar or at its opening quote. An enc:v1: value has no character that
    // needs escaping, so its text appears verbatim; anything else cannot be replaced in place.
    size_t start = f.offset;
    if (start < text.size() && (text[start] == '"' || text[start] == '\'')) ++start;
    if (start < copied || text.compare(start, f.value.size(), f.value) != 0) {
      return InvalidArgument(where +
                             "cannot rewrite this value in place (write it on one line, plain or "
                             "quoted)");
    }
    Result<std::string> plain = DecryptValue(old_key, f.value);
    if (!plain.ok()) {
      if (DecryptValue(new_key, f.value).ok()) {
        ++result.already_new;
        continue;
      }
      return InvalidArgument(where + plain.status().message());
    }
    Result<std::string> encrypted = EncryptValue(new_key, *plain);
    std::fill(plain->begin(), plain->end(), '\0');
    if (!encrypted.ok()) return Internal(where + encrypted.status().message());
    out.append(text.substr(copied, start - copied));
    out += *encrypted;
    copied = start + f.value.size();
    ++result.rotated;
  }
  out.append(text.substr(copied));
  result.text = std::move(out);
  return result;
}

Result<RotationResult> RotateConfigFile(const std::string& path, const SecretKey& old_key,
                                        const SecretKey& new_key) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return NotFound("cannot read configuration file " + path + ": not a regular file");
  }
  if (static_cast<uintmax_t>(st.st_size) > kMaxConfigBytes) {
    return InvalidArgument(path + " is too large for a configuration file");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Internal("cannot read configuration file " + path);
  Result<RotationResult> result = RotateConfigText(text, path, old_key, new_key);
  if (!result.ok() || result->rotated == 0) return result;
  Status written =
      WriteFileAtomically(path, result->text, {.mode = st.st_mode & 07777, .overwrite = true});
  if (!written.ok()) return written;
  return result;
}

}  // namespace novacron::security
