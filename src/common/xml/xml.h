// A streaming XML reader over expat for documents too large to hold as one tree (SBOMs, cloud
// API responses). The caller walks the document as a stream of elements and, at the elements it
// names, receives that element's whole subtree — one <component> of a BOM, one <item> of an EC2
// reply — which it reads and drops before the next arrives. Memory is the largest such subtree
// (bounded by Options::max_subtree_bytes), not the document.
//
// Safe on hostile input: DOCTYPE declarations (and with them every entity definition, internal
// or external) are refused, so no entity expansion and no external fetch can happen; nesting
// deeper than Options::max_depth is refused anywhere, skipped parts included; a collected subtree
// larger than Options::max_subtree_bytes (its estimated memory) is refused; time is linear in the
// input. Names are namespace-resolved (Element::ns holds the namespace URI). Text is UTF-8
// whatever the document's encoding. Visitors may throw: the exception stops the parse and leaves
// Parse() (never unwinding through expat's frames).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace qlrf::xml {

struct Element {
  // Namespace URI, "" when none. Interned by the reader: valid until Parse() returns.
  std::string_view ns;
  std::string name;  // local name
  // Attributes in document order; names are local (an attribute in a namespace is "uri name").
  std::vector<std::pair<std::string, std::string>> attributes;
  // The character data directly inside, as written (not trimmed). Collected elements only: the
  // elements the reader streams through (Start(), End()) carry none.
  std::string text;
  std::vector<Element> children;
  int64_t line = 0;    // where the start tag begins, 1-based
  int64_t column = 0;  // 1-based, in characters
  int64_t offset = 0;  // byte offset of the start tag
  // 1-based position among the parent's children of the same local name (any namespace).
  size_t index = 1;

  // The attribute `key`, or nullptr.
  const std::string* Attribute(std::string_view key) const;
  // The first child named `child` in this element's namespace (extension elements of other
  // namespaces are not found), or nullptr.
  const Element* Child(std::string_view child) const;
  // The text of that child, surrounding whitespace trimmed; "" when absent.
  std::string_view ChildText(std::string_view child) const;
  // `text` without surrounding whitespace.
  std::string_view Trimmed() const;
  // "name[index]" — a step of an XPath-like location.
  std::string Step() const;
};

// What the reader should do with an element it has just entered (outside a collected subtree).
enum class Action {
  kDescend,  // keep streaming: its children get Start() calls of their own
  kCollect,  // build the element whole and hand it to Collected() at its end tag
  kSkip,     // ignore the element and everything inside it
};

class Visitor {
 public:
  virtual ~Visitor() = default;
  // An element's start tag (attributes filled, no text or children yet). `path` is the location
  // of its parent ("" for the root, then "/bom", "/bom/components", ...). An error stops the
  // parse and is returned by Parse() with the position added.
  virtual Result<Action> Start(const Element& element, std::string_view path) = 0;
  // A collected element, whole (an error gets the position of its end tag). `path` is its
  // parent's location.
  virtual Status Collected(Element&& element, std::string_view path) = 0;
  // The end tag of an element the reader descended into.
  virtual Status End(const Element& element, std::string_view path) {
    (void)element;
    (void)path;
    return Ok();
  }
};

struct Options {
  size_t max_depth = 256;
  // Estimated memory of one collected subtree (elements, names, attributes, text).
  size_t max_subtree_bytes = size_t{64} << 20;
};

// The root element's namespace and local name, reading no further than its start tag; fails as
// Parse() does when the document is not XML up to there.
struct RootTag {
  std::string ns;
  std::string name;
};
Result<RootTag> Root(std::string_view bytes);

// Parses `bytes`, calling `visitor` as described above. Errors are InvalidArgument with details
// {"field": location, "line", "column", "offset"} and a message that says where ("line 12,
// column 5: mismatched tag"); a Visitor's error comes back as it was returned, with "line",
// "column" and "offset" details added.
Status Parse(std::string_view bytes, Visitor& visitor, const Options& options = {});

}  // namespace qlrf::xml
