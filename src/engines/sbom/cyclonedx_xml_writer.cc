#include "engines/sbom/cyclonedx_xml_writer.h"

#include <initializer_list>
#include <string_view>

namespace qlrf::sbom {
namespace {

namespace bj = boost::json;

// Unknown members fail the whole conversion (see the header).
struct Unsupported {
  std::string where;
};

void Escape(std::string& out, std::string_view s, bool attribute) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\n':
      case '\r':
      case '\t':
        // Attribute values normalise whitespace; keep them as character references there.
        if (attribute) {
          out += "&#" + std::to_string(static_cast<int>(c)) + ";";
        } else {
          out += c;
        }
        break;
      default:
        // XML 1.0 cannot carry other control characters at all.
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\xEF\xBF\xBD";  // U+FFFD
        } else {
          out += c;
        }
    }
  }
}

std::string_view Str(const bj::value& v, std::string_view where) {
  if (!v.is_string()) {
    throw Unsupported{std::string(where) + " (not a string)"};
  }
  return v.get_string();
}

using Attributes = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Writer {
 public:
  std::string Take() { return std::move(out_); }

  void Open(std::string_view tag, Attributes attributes = {}, bool empty = false) {
    StartTag(tag, attributes);
    out_ += empty ? "/>\n" : ">\n";
    if (!empty) {
      ++depth_;
    }
  }
  void Close(std::string_view tag) {
    --depth_;
    Indent();
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }
  void Text(std::string_view tag, std::string_view value, Attributes attributes = {}) {
    StartTag(tag, attributes);
    out_ += '>';
    Escape(out_, value, false);
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }
  void Raw(std::string_view s) { out_ += s; }

 private:
  void Indent() { out_.append(2 * depth_, ' '); }
  // An indented '<tag attr="value" …' without its closing '>'.
  void StartTag(std::string_view tag, Attributes attributes) {
    Indent();
    out_ += '<';
    out_ += tag;
    for (const auto& [name, value] : attributes) {
      out_ += ' ';
      out_ += name;
      out_ += "=\"";
      Escape(out_, value, true);
      out_ += '"';
    }
  }

  std::string out_;
  size_t depth_ = 0;
};

// Fails on a member of `o` outside `known`.
void OnlyKnown(const bj::object& o, std::initializer_list<std::string_view> known,
               std::string_view where) {
  for (const auto& kv : o) {
    bool ok = false;
    for (std::string_view k : known) {
      ok = ok || kv.key() == k;
    }
    if (!ok) {
      throw Unsupported{std::string(where) + "." + std::string(kv.key())};
    }
  }
}

void Component(Writer& w, const bj::object& c) {
  OnlyKnown(c,
            {"type", "bom-ref", "supplier", "name", "version", "hashes", "licenses", "purl",
             "components"},
            "component");
  std::string_view type = c.contains("type") ? Str(c.at("type"), "component.type") : "library";
  if (c.contains("bom-ref")) {
    w.Open("component", {{"type", type}, {"bom-ref", Str(c.at("bom-ref"), "component.bom-ref")}});
  } else {
    w.Open("component", {{"type", type}});
  }
  if (const bj::value* s = c.if_contains("supplier")) {
    OnlyKnown(s->as_object(), {"name"}, "component.supplier");
    w.Open("supplier");
    w.Text("name", Str(s->as_object().at("name"), "supplier.name"));
    w.Close("supplier");
  }
  w.Text("name", c.contains("name") ? Str(c.at("name"), "component.name") : "");
  if (const bj::value* v = c.if_contains("version")) {
    w.Text("version", Str(*v, "component.version"));
  }
  if (const bj::value* hashes = c.if_contains("hashes")) {
    w.Open("hashes");
    for (const bj::value& h : hashes->as_array()) {
      const bj::object& o = h.as_object();
      OnlyKnown(o, {"alg", "content"}, "hash");
      w.Text("hash", Str(o.at("content"), "hash.content"), {{"alg", Str(o.at("alg"), "hash.alg")}});
    }
    w.Close("hashes");
  }
  if (const bj::value* licenses = c.if_contains("licenses")) {
    w.Open("licenses");
    for (const bj::value& item : licenses->as_array()) {
      const bj::object& o = item.as_object();
      OnlyKnown(o, {"license", "expression"}, "licenses[]");
      if (const bj::value* e = o.if_contains("expression")) {
        w.Text("expression", Str(*e, "expression"));
      } else {
        const bj::object& l = o.at("license").as_object();
        OnlyKnown(l, {"id", "name"}, "license");
        w.Open("license");
        if (const bj::value* id = l.if_contains("id")) {
          w.Text("id", Str(*id, "license.id"));
        } else {
          w.Text("name", Str(l.at("name"), "license.name"));
        }
        w.Close("license");
      }
    }
    w.Close("licenses");
  }
  if (const bj::value* purl = c.if_contains("purl")) {
    w.Text("purl", Str(*purl, "component.purl"));
  }
  if (const bj::value* children = c.if_contains("components")) {
    w.Open("components");
    for (const bj::value& child : children->as_array()) {
      Component(w, child.as_object());
    }
    w.Close("components");
  }
  w.Close("component");
}

std::string Convert(const bj::object& bom) {
  OnlyKnown(bom,
            {"bomFormat", "specVersion", "serialNumber", "version", "metadata", "components",
             "dependencies"},
            "bom");
  std::string spec(Str(bom.at("specVersion"), "specVersion"));
  Writer w;
  w.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  std::string ns = "http://cyclonedx.org/schema/bom/" + spec;
  std::string version = bom.contains("version") ? bj::serialize(bom.at("version")) : "1";
  if (bom.contains("serialNumber")) {
    w.Open("bom", {{"xmlns", ns},
                   {"serialNumber", Str(bom.at("serialNumber"), "serialNumber")},
                   {"version", version}});
  } else {
    w.Open("bom", {{"xmlns", ns}, {"version", version}});
  }
  if (const bj::value* m = bom.if_contains("metadata")) {
    const bj::object& meta = m->as_object();
    OnlyKnown(meta, {"timestamp", "tools", "component"}, "metadata");
    w.Open("metadata");
    if (const bj::value* t = meta.if_contains("timestamp")) {
      w.Text("timestamp", Str(*t, "metadata.timestamp"));
    }
    if (const bj::value* tools = meta.if_contains("tools")) {
      OnlyKnown(tools->as_object(), {"components"}, "metadata.tools");
      w.Open("tools");
      w.Open("components");
      for (const bj::value& t : tools->as_object().at("components").as_array()) {
        Component(w, t.as_object());
      }
      w.Close("components");
      w.Close("tools");
    }
    if (const bj::value* c = meta.if_contains("component")) {
      Component(w, c->as_object());
    }
    w.Close("metadata");
  }
  if (const bj::value* components = bom.if_contains("components")) {
    w.Open("components");
    for (const bj::value& c : components->as_array()) {
      Component(w, c.as_object());
    }
    w.Close("components");
  }
  if (const bj::value* deps = bom.if_contains("dependencies")) {
    w.Open("dependencies");
    for (const bj::value& d : deps->as_array()) {
      const bj::object& o = d.as_object();
      OnlyKnown(o, {"ref", "dependsOn"}, "dependency");
      std::string_view ref = Str(o.at("ref"), "dependency.ref");
      const bj::value* on = o.if_contains("dependsOn");
      if (on == nullptr || on->as_array().empty()) {
        w.Open("dependency", {{"ref", ref}}, true);
        continue;
      }
      w.Open("dependency", {{"ref", ref}});
      for (const bj::value& to : on->as_array()) {
        w.Open("dependency", {{"ref", Str(to, "dependsOn[]")}}, true);
      }
      w.Close("dependency");
    }
    w.Close("dependencies");
  }
  w.Close("bom");
  return w.Take();
}

}  // namespace

Result<std::string> CycloneDxJsonToXml(const boost::json::object& bom) {
  try {
    if (!bom.contains("specVersion")) {
      return Fail(InvalidArgument("CycloneDX XML: the BOM has no specVersion"));
    }
    return Convert(bom);
  } catch (const Unsupported& u) {
    return Fail(
        InvalidArgument("CycloneDX XML: no XML form for " + u.where).With("field", u.where));
  } catch (const std::exception& e) {  // a member of another JSON type than the format's
    return Fail(InvalidArgument(std::string("CycloneDX XML: malformed BOM (") + e.what() + ")"));
  }
}

}  // namespace qlrf::sbom
