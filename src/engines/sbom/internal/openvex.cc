// OpenVEX JSON (v0.0.1 and v0.2.0): one VexStatement per product (and per subcomponent).
#include <string>
#include <string_view>
#include <vector>

#include "engines/sbom/internal/formats.h"

namespace qlrf::sbom::internal {
namespace {

class OpenVexWalker {
 public:
  OpenVexWalker(Reader& reader, Document& doc) : r_(reader), doc_(doc) {}

  void Root(od::object& root) {
    bool has_context = false;
    std::string_view document_timestamp;
    r_.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "@context") {
        has_context = true;
        std::string_view context = r_.String(v);
        if (context.find("openvex") == std::string_view::npos) {
          r_.Fail("@context is not an OpenVEX context");
        }
        auto slash = context.rfind('/');
        doc_.spec_version = slash == std::string_view::npos ? context : context.substr(slash + 1);
      } else if (key == "@id") {
        doc_.serial_number = r_.StringOrNull(v);
      } else if (key == "author") {
        doc_.tool = r_.StringOrNull(v);
      } else if (key == "timestamp") {
        document_timestamp = r_.StringOrNull(v);
        doc_.created = document_timestamp;
      } else if (key == "statements") {
        r_.ArrayOrNull(v, [&](size_t, od::value s) { Statement(s); });
      }
    });
    if (!has_context) {
      r_.Fail("missing @context (an OpenVEX document names its context)");
    }
    for (VexStatement& s : doc_.vex) {
      if (s.timestamp.empty()) {
        s.timestamp = document_timestamp;
      }
    }
  }

 private:
  struct Product {
    std::string ref;
    std::string purl;
  };

  Product ReadProduct(od::value v) {
    Product p;
    if (r_.Type(v) == od::json_type::string) {  // v0.0.1: products are purl strings
      p.ref = r_.String(v);
    } else {
      r_.Object(v, [&](std::string_view key, od::value x) {
        if (key == "@id") {
          p.ref = r_.String(x);
        } else if (key == "identifiers") {
          r_.ObjectOrNull(x, [&](std::string_view k, od::value id) {
            if (k == "purl") {
              p.purl = r_.CanonicalPurl(r_.String(id));
            }
          });
        }
      });
    }
    if (p.purl.empty() && p.ref.starts_with("pkg:")) {
      p.purl = r_.CanonicalPurl(p.ref);
    }
    if (p.ref.empty()) {
      p.ref = p.purl;
    }
    return p;
  }

  void Statement(od::value v) {
    VexStatement base;
    bool has_status = false;
    std::vector<Product> products;
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "vulnerability") {
        if (r_.Type(x) == od::json_type::string) {
          base.vulnerability_id = r_.String(x);
          return;
        }
        r_.Object(x, [&](std::string_view k, od::value y) {
          if (k == "name" || (k == "@id" && base.vulnerability_id.empty())) {
            base.vulnerability_id = r_.String(y);
          }
        });
      } else if (key == "status") {
        has_status = true;
        std::string_view status = r_.String(x);
        auto parsed = VexStatusFromName(status);
        if (!parsed) {
          r_.Fail("unknown VEX status \"" + std::string(CutUtf8(status, 64)) + "\"");
        }
        base.status = *parsed;
      } else if (key == "justification") {
        base.justification = r_.StringOrNull(x);
      } else if (key == "impact_statement" || key == "status_notes") {
        if (base.detail.empty()) {
          base.detail = r_.StringOrNull(x);
        }
      } else if (key == "action_statement") {
        base.action = r_.StringOrNull(x);
      } else if (key == "timestamp") {
        base.timestamp = r_.StringOrNull(x);
      } else if (key == "products") {
        r_.ArrayOrNull(x, [&](size_t, od::value p) { products.push_back(ReadProduct(p)); });
      }
    });
    if (base.vulnerability_id.empty()) {
      r_.Fail("statement without a vulnerability");
    }
    if (!has_status) {
      r_.Fail("statement without a status");
    }
    for (Product& p : products) {
      VexStatement s = base;
      s.component_ref = std::move(p.ref);
      s.purl = std::move(p.purl);
      doc_.vex.push_back(std::move(s));
    }
  }

  Reader& r_;
  Document& doc_;
};

}  // namespace

void ReadOpenVex(Reader& reader, od::object& root, Document& doc) {
  OpenVexWalker walker(reader, doc);
  walker.Root(root);
}

}  // namespace qlrf::sbom::internal
