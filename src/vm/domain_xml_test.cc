#include "vm/domain_xml.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <memory>
#include <set>

namespace novacron::vm {
namespace {

// A strict little XML reader, enough to prove the generator's output is well-formed and to read
// back what a real parser would see: elements, attributes, text and the five entities.
struct Node {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;
  std::vector<std::unique_ptr<Node>> children;

  const Node* Child(std::string_view n, size_t index = 0) const {
    for (const auto& c : children) {
      if (c->name == n && index-- == 0) return c.get();
    }
    return nullptr;
  }
  size_t Count(std::string_view n) const {
    size_t k = 0;
    for (const auto& c : children) k += c->name == n;
    return k;
  }
  void CollectNames(std::set<std::string>* names) const {
    names->insert(name);
    for (const auto& c : children) c->CollectNames(names);
  }
};

class XmlReader {
 public:
  explicit XmlReader(std::string_view s) : s_(s) {}

  // The root element, or null with error() saying why.
  std::unique_ptr<Node> Parse() {
    SkipSpace();
    auto root = Element();
    SkipSpace();
    if (root && pos_ != s_.size()) Fail("content after the root element");
    return error_.empty() ? std::move(root) : nullptr;
  }
  const std::string& error() const { return error_; }

 private:
  void Fail(std::string why) {
    if (error_.empty()) error_ = why + " at offset " + std::to_string(pos_);
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  void SkipSpace() {
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  std::string Name() {
    size_t start = pos_;
    while (!AtEnd() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                        s_[pos_] == '-' || s_[pos_] == '.' || s_[pos_] == ':')) {
      ++pos_;
    }
    if (start == pos_) Fail("expected a name");
    return std::string(s_.substr(start, pos_ - start));
  }
  // Reads characters up to `stop`, decoding entities; a raw '<' or control character is an error.
  std::string CharData(char stop) {
    static const std::map<std::string, char> kEntities = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    std::string out;
    while (!AtEnd() && s_[pos_] != stop && error_.empty()) {
      char c = s_[pos_];
      if (c == '<') return Fail("raw '<' in character data"), out;
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
        return Fail("control character"), out;
      }
      if (c == '&') {
        size_t semi = s_.find(';', pos_);
        auto it = semi == s_.npos
                      ? kEntities.end()
                      : kEntities.find(std::string(s_.substr(pos_ + 1, semi - pos_ - 1)));
        if (it == kEntities.end()) return Fail("bad entity"), out;
        out += it->second;
        pos_ = semi + 1;
        continue;
      }
      out += c;
      ++pos_;
    }
    return out;
  }
  std::unique_ptr<Node> Element() {
    if (AtEnd() || s_[pos_] != '<') return Fail("expected '<'"), nullptr;
    ++pos_;
    auto node = std::make_unique<Node>();
    node->name = Name();
    while (error_.empty()) {
      SkipSpace();
      if (AtEnd()) return Fail("unterminated tag"), nullptr;
      if (s_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        return node;
      }
      if (s_[pos_] == '>') break;
      std::string attr = Name();
      if (AtEnd() || s_[pos_] != '=') return Fail("expected '='"), nullptr;
      ++pos_;
      if (AtEnd() || (s_[pos_] != '\'' && s_[pos_] != '"')) return Fail("expected quote"), nullptr;
      char quote = s_[pos_++];
      std::string value = CharData(quote);
      if (AtEnd()) return Fail("unterminated attribute"), nullptr;
      ++pos_;
      if (!node->attrs.emplace(attr, value).second) return Fail("duplicate attribute"), nullptr;
    }
    ++pos_;  // '>'
    while (error_.empty()) {
      node->text += CharData('<');
      if (AtEnd()) return Fail("unterminated element " + node->name), nullptr;
      if (s_.substr(pos_, 2) == "</") {
        pos_ += 2;
        if (Name() != node->name) return Fail("mismatched end tag"), nullptr;
        if (AtEnd() || s_[pos_] != '>') return Fail("expected '>'"), nullptr;
        ++pos_;
        return node;
      }
      auto child = Element();
      if (!child) return nullptr;
      node->children.push_back(std::move(child));
    }
    return nullptr;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

constexpr char kUuid[] = "6f1c8a2e-0b7d-4e1a-9c3f-2d5e8b7a1c90";

VmSpec BasicSpec() {
  VmSpec spec;
  spec.name = "web1";
  spec.vcpus = 2;
  spec.memory_mib = 1024;
  spec.disks = {{"/images/base.qcow2", std::nullopt, "vdb"}, {"", 2048, ""}};
  spec.network = {NetworkType::kNetwork, "default"};
  return spec;
}

DomainXmlOptions BasicOptions() {
  DomainXmlOptions o;
  o.uuid = kUuid;
  o.disk_paths = {"/var/lib/novacron/vms/web1/disk0.qcow2",
                  "/var/lib/novacron/vms/web1/disk1.qcow2"};
  return o;
}

std::unique_ptr<Node> ParseOk(const Result<std::string>& xml) {
  EXPECT_TRUE(xml.ok()) << xml.status().ToString();
  if (!xml.ok()) return nullptr;
  XmlReader reader(*xml);
  auto root = reader.Parse();
  EXPECT_NE(root, nullptr) << reader.error() << "\n" << *xml;
  return root;
}

TEST(DomainXmlTest, BasicDomain) {
  auto root = ParseOk(GenerateDomainXml(BasicSpec(), BasicOptions()));
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->name, "domain");
  EXPECT_EQ(root->attrs.at("type"), "kvm");
  EXPECT_EQ(root->Child("name")->text, "web1");
  EXPECT_EQ(root->Child("uuid")->text, kUuid);
  EXPECT_EQ(root->Child("memory")->text, "1048576");
  EXPECT_EQ(root->Child("memory")->attrs.at("unit"), "KiB");
  EXPECT_EQ(root->Child("vcpu")->text, "2");
  const Node* os = root->Child("os");
  EXPECT_EQ(os->Child("type")->text, "hvm");
  EXPECT_EQ(os->Child("boot")->attrs.at("dev"), "hd");
  EXPECT_EQ(os->Child("kernel"), nullptr);
  EXPECT_EQ(root->Child("cpu")->attrs.at("mode"), "host-passthrough");
  EXPECT_EQ(root->Child("on_poweroff")->text, "destroy");
  const Node* dev = root->Child("devices");
  EXPECT_EQ(dev->Child("emulator"), nullptr);
  ASSERT_EQ(dev->Count("disk"), 2u);
  const Node* d0 = dev->Child("disk", 0);
  const Node* d1 = dev->Child("disk", 1);
  EXPECT_EQ(d0->Child("driver")->attrs.at("type"), "qcow2");
  EXPECT_EQ(d0->Child("source")->attrs.at("file"), BasicOptions().disk_paths[0]);
  EXPECT_EQ(d0->Child("target")->attrs.at("dev"), "vdb");
  EXPECT_EQ(d0->Child("target")->attrs.at("bus"), "virtio");
  EXPECT_EQ(d1->Child("source")->attrs.at("file"), BasicOptions().disk_paths[1]);
  EXPECT_EQ(d1->Child("target")->attrs.at("dev"), "vda");  // first free name
  const Node* nic = dev->Child("interface");
  EXPECT_EQ(nic->attrs.at("type"), "network");
  EXPECT_EQ(nic->Child("source")->attrs.at("network"), "default");
  EXPECT_EQ(nic->Child("model")->attrs.at("type"), "virtio");
  EXPECT_EQ(dev->Child("serial")->attrs.at("type"), "pty");
  EXPECT_EQ(dev->Child("console")->attrs.at("type"), "pty");
}

TEST(DomainXmlTest, KernelBootBridgeSerialLogQemu) {
  VmSpec spec = BasicSpec();
  spec.kernel = "/boot/vmlinuz";
  spec.initrd = "/boot/initrd";
  spec.cmdline = "console=ttyS0";
  spec.serial_log = true;
  spec.network = {NetworkType::kBridge, "br0"};
  DomainXmlOptions options = BasicOptions();
  options.serial_log_path = "/var/lib/novacron/vms/" + std::string(kUuid) + "/serial.log";
  options.domain_type = "qemu";
  options.emulator = "/usr/bin/qemu-system-x86_64";
  auto root = ParseOk(GenerateDomainXml(spec, options));
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->attrs.at("type"), "qemu");
  EXPECT_EQ(root->Child("cpu"), nullptr);
  const Node* os = root->Child("os");
  EXPECT_EQ(os->Child("kernel")->text, "/boot/vmlinuz");
  EXPECT_EQ(os->Child("initrd")->text, "/boot/initrd");
  EXPECT_EQ(os->Child("cmdline")->text, "console=ttyS0");
  EXPECT_EQ(os->Child("boot"), nullptr);
  const Node* dev = root->Child("devices");
  EXPECT_EQ(dev->Child("emulator")->text, "/usr/bin/qemu-system-x86_64");
  EXPECT_EQ(dev->Child("interface")->attrs.at("type"), "bridge");
  EXPECT_EQ(dev->Child("interface")->Child("source")->attrs.at("bridge"), "br0");
  EXPECT_EQ(dev->Child("serial")->attrs.at("type"), "file");
  EXPECT_EQ(dev->Child("serial")->Child("source")->attrs.at("path"), options.serial_log_path);
  EXPECT_EQ(dev->Child("console")->Child("source")->attrs.at("path"), options.serial_log_path);
  EXPECT_EQ(dev->Child("console")->Child("target")->attrs.at("type"), "serial");
}

// The driver passes the checked canonical kernel and initrd; they win over the spec's paths.
TEST(DomainXmlTest, CheckedKernelPathsReplaceTheSpecPaths) {
  VmSpec spec = BasicSpec();
  spec.kernel = "/images/current/vmlinuz";
  spec.initrd = "/images/current/initrd";
  DomainXmlOptions options = BasicOptions();
  options.kernel_path = "/images/v6.1/vmlinuz";
  options.initrd_path = "/images/v6.1/initrd";
  auto root = ParseOk(GenerateDomainXml(spec, options));
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->Child("os")->Child("kernel")->text, options.kernel_path);
  EXPECT_EQ(root->Child("os")->Child("initrd")->text, options.initrd_path);
}

TEST(DomainXmlTest, NoNetworkNoDisks) {
  VmSpec spec = BasicSpec();
  spec.disks.clear();
  spec.network = {};
  DomainXmlOptions options = BasicOptions();
  options.disk_paths.clear();
  auto root = ParseOk(GenerateDomainXml(spec, options));
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->Child("devices")->Count("interface"), 0u);
  EXPECT_EQ(root->Child("devices")->Count("disk"), 0u);
}

TEST(DomainXmlTest, HostileValuesAreEscapedNotInjected) {
  const std::string hostile = "/x/a'b\"<c>&d</source><evil attr='1'/>&amp;]]>";
  VmSpec spec = BasicSpec();
  spec.kernel = hostile + "k";
  spec.initrd = hostile + "i";
  spec.cmdline = "console=ttyS0 " + hostile;
  spec.serial_log = true;
  spec.disks[0].base_image = hostile;
  DomainXmlOptions options = BasicOptions();
  options.emulator = hostile + "emu";
  options.serial_log_path = hostile + "log";
  options.disk_paths = {hostile + "0", hostile + "1"};
  Result<std::string> xml = GenerateDomainXml(spec, options);
  auto root = ParseOk(xml);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(xml->find("<evil"), std::string::npos);
  std::set<std::string> names;
  root->CollectNames(&names);
  EXPECT_EQ(names.count("evil"), 0u);
  // What a parser reads back is exactly what went in.
  const Node* os = root->Child("os");
  EXPECT_EQ(os->Child("kernel")->text, spec.kernel);
  EXPECT_EQ(os->Child("initrd")->text, spec.initrd);
  EXPECT_EQ(os->Child("cmdline")->text, spec.cmdline);
  const Node* dev = root->Child("devices");
  EXPECT_EQ(dev->Child("emulator")->text, options.emulator);
  EXPECT_EQ(dev->Child("disk", 0)->Child("source")->attrs.at("file"), options.disk_paths[0]);
  EXPECT_EQ(dev->Child("disk", 1)->Child("source")->attrs.at("file"), options.disk_paths[1]);
  EXPECT_EQ(dev->Child("serial")->Child("source")->attrs.at("path"), options.serial_log_path);
  EXPECT_EQ(dev->Count("disk"), 2u);
  EXPECT_EQ(dev->Count("serial"), 1u);
}

TEST(DomainXmlTest, ControlCharactersAndBadValuesAreRejected) {
  struct Case {
    std::string field;
    void (*mutate)(VmSpec&, DomainXmlOptions&);
  };
  const Case cases[] = {
      {"name", [](VmSpec& s, DomainXmlOptions&) { s.name = "a'b\"<c>&d"; }},
      {"name", [](VmSpec& s, DomainXmlOptions&) { s.name = "web\n1"; }},
      {"cmdline", [](VmSpec& s, DomainXmlOptions&) { s.kernel = "/k", s.cmdline = "a\nb"; }},
      {"cmdline", [](VmSpec& s, DomainXmlOptions&) { s.kernel = "/k", s.cmdline = "a\x01"; }},
      {"serial_log_path",
       [](VmSpec& s, DomainXmlOptions& o) {
         s.serial_log = true, o.serial_log_path = "/l\r\n<e/>";
       }},
      {"serial_log_path", [](VmSpec& s, DomainXmlOptions&) { s.serial_log = true; }},
      {"kernel", [](VmSpec& s, DomainXmlOptions&) { s.kernel = std::string("/k\0x", 4); }},
      {"network.source", [](VmSpec& s, DomainXmlOptions&) { s.network.source = "d'/><x"; }},
      {"vm.domain_type", [](VmSpec&, DomainXmlOptions& o) { o.domain_type = "xen"; }},
      {"emulator", [](VmSpec&, DomainXmlOptions& o) { o.emulator = "qemu"; }},
      {"uuid", [](VmSpec&, DomainXmlOptions& o) { o.uuid = "not-a-uuid"; }},
      {"uuid", [](VmSpec&, DomainXmlOptions& o) { o.uuid = std::string(kUuid) + "'"; }},
      {"disk_paths", [](VmSpec&, DomainXmlOptions& o) { o.disk_paths.pop_back(); }},
      {"disk_paths[1]", [](VmSpec&, DomainXmlOptions& o) { o.disk_paths[1] = "/a\tb"; }},
      {"disks[0].base_image", [](VmSpec& s, DomainXmlOptions&) { s.disks[0].base_image = "x"; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    VmSpec spec = BasicSpec();
    DomainXmlOptions options = BasicOptions();
    c.mutate(spec, options);
    Result<std::string> xml = GenerateDomainXml(spec, options);
    ASSERT_FALSE(xml.ok());
    EXPECT_EQ(xml.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(xml.status().message().find(c.field + ": "), std::string::npos)
        << xml.status().message();
  }
}

TEST(DomainXmlTest, XmlEscape) {
  EXPECT_EQ(XmlEscape("a'b\"<c>&d"), "a&apos;b&quot;&lt;c&gt;&amp;d");
  EXPECT_EQ(XmlEscape(""), "");
  EXPECT_EQ(XmlEscape("&amp;"), "&amp;amp;");
}

TEST(DomainXmlTest, CheckerRejectsMalformedXml) {
  for (const char* bad : {"<a>", "<a></b>", "<a x='1' x='2'/>", "<a>&bogus;</a>", "<a>x<y</a>",
                          "<a/><b/>", "<a x='<'/>", "<a x=1/>"}) {
    SCOPED_TRACE(bad);
    XmlReader reader(bad);
    EXPECT_EQ(reader.Parse(), nullptr);
  }
  XmlReader ok("<a x=\"&quot;'\">t<b/>u</a>");
  auto root = ok.Parse();
  ASSERT_NE(root, nullptr) << ok.error();
  EXPECT_EQ(root->attrs.at("x"), "\"'");
  EXPECT_EQ(root->text, "tu");
}

}  // namespace
}  // namespace novacron::vm
