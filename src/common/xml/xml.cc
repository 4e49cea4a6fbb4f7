// The expat driver behind xml::Parse: one stack of open elements, each either streamed (the
// visitor decides) or being built (inside a collected subtree); skipped parts are only counted.
#include "common/xml/xml.h"

#include <expat.h>

#include <algorithm>
#include <climits>
#include <exception>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace qlrf::xml {
namespace {

constexpr char kNamespaceSeparator = ' ';  // never inside a URI or an XML name

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Counts children by name: a short list first (most elements have few distinct child names),
// a hash map past it, so that a parent with many distinct child names stays linear.
class NameCounter {
 public:
  size_t Next(const std::string& name) {
    if (map_) {
      return ++(*map_)[name];
    }
    for (auto& [n, count] : list_) {
      if (n == name) {
        return ++count;
      }
    }
    if (list_.size() < kListMax) {
      list_.emplace_back(name, 1);
      return 1;
    }
    map_ = std::make_unique<std::unordered_map<std::string, size_t>>(list_.begin(), list_.end());
    list_.clear();
    return ++(*map_)[name];
  }

 private:
  static constexpr size_t kListMax = 16;
  std::vector<std::pair<std::string, size_t>> list_;
  std::unique_ptr<std::unordered_map<std::string, size_t>> map_;
};

class Driver {
 public:
  Driver(Visitor& visitor, const Options& options)
      : visitor_(visitor),
        options_(options),
        parser_(XML_ParserCreateNS(nullptr, kNamespaceSeparator)) {}
  ~Driver() {
    if (parser_ != nullptr) {
      XML_ParserFree(parser_);
    }
  }
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  Status Run(std::string_view bytes) {
    if (parser_ == nullptr) {
      return Fail(Internal("xml: cannot create a parser"));
    }
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &Driver::OnStart, &Driver::OnEnd);
    XML_SetCharacterDataHandler(parser_, &Driver::OnText);
    XML_SetStartDoctypeDeclHandler(parser_, &Driver::OnDoctype);
    XML_SetEntityDeclHandler(parser_, &Driver::OnEntity);
    XML_SetParamEntityParsing(parser_, XML_PARAM_ENTITY_PARSING_NEVER);
    // Fed in slices: expat takes an int length.
    constexpr size_t kSlice = size_t{1} << 24;
    size_t pos = 0;
    do {
      size_t n = std::min(kSlice, bytes.size() - pos);
      bool last = pos + n == bytes.size();
      XML_Status st =
          XML_Parse(parser_, bytes.data() + pos, static_cast<int>(n), last ? XML_TRUE : XML_FALSE);
      if (thrown_) {
        std::rethrow_exception(thrown_);
      }
      if (error_) {
        return Fail(std::move(*error_));
      }
      if (st != XML_STATUS_OK) {
        return Fail(PositionedError(XML_ErrorString(XML_GetErrorCode(parser_))));
      }
      pos += n;
    } while (pos < bytes.size());
    return Ok();
  }

 private:
  enum class Mode { kStream, kBuild };
  struct Frame {
    Mode mode;
    Element* element;                // kStream: owned below; kBuild: in a tree
    std::unique_ptr<Element> owned;  // streamed elements and collected roots
    NameCounter children;            // children's names → count so far
    size_t path_size;                // path_ length before this element
  };

  static Driver& Self(void* user) { return *static_cast<Driver*>(user); }

  // Runs a handler body; any exception stops the parse and is rethrown by Run() once expat has
  // returned (it must not unwind through expat's C frames).
  template <class F>
  static void Guarded(void* user, F&& body) {
    Driver& self = Self(user);
    try {
      body(self);
    } catch (...) {
      self.thrown_ = std::current_exception();
      XML_StopParser(self.parser_, XML_FALSE);
    }
  }

  static void XMLCALL OnStart(void* user, const XML_Char* name, const XML_Char** attributes) {
    Guarded(user, [&](Driver& self) { self.Start(name, attributes); });
  }
  static void XMLCALL OnEnd(void* user, const XML_Char*) {
    Guarded(user, [](Driver& self) { self.End(); });
  }
  static void XMLCALL OnText(void* user, const XML_Char* text, int length) {
    Guarded(user, [&](Driver& self) {
      if (self.skipping_ == 0 && !self.frames_.empty() &&
          self.frames_.back().mode == Mode::kBuild) {
        self.Spend(static_cast<size_t>(length));
        self.frames_.back().element->text.append(text, static_cast<size_t>(length));
      }
    });
  }
  static void XMLCALL OnDoctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*,
                                int) {
    Self(user).Stop(Self(user).PositionedError("DOCTYPE declarations are not accepted"));
  }
  static void XMLCALL OnEntity(void* user, const XML_Char*, int, const XML_Char*, int,
                               const XML_Char*, const XML_Char*, const XML_Char*, const XML_Char*) {
    Self(user).Stop(Self(user).PositionedError("entity declarations are not accepted"));
  }

  void Stop(Error error) {
    if (!error_) {
      error_ = std::move(error);
    }
    XML_StopParser(parser_, XML_FALSE);
  }

  // The location of the innermost open element: the streamed path, then the steps of the
  // subtree being collected.
  std::string Location() const {
    std::string where = path_;
    for (const Frame& f : frames_) {
      if (f.mode == Mode::kBuild) {
        where += '/';
        where += f.element->Step();
      }
    }
    return where.empty() ? std::string("/") : where;
  }

  Error PositionedError(std::string_view what) const {
    int64_t line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser_));
    int64_t column = static_cast<int64_t>(XML_GetCurrentColumnNumber(parser_)) + 1;
    int64_t offset = static_cast<int64_t>(XML_GetCurrentByteIndex(parser_));
    return InvalidArgument("xml: line " + std::to_string(line) + ", column " +
                           std::to_string(column) + ": " + std::string(what))
        .With("field", Location())
        .With("line", std::to_string(line))
        .With("column", std::to_string(column))
        .With("offset", std::to_string(offset));
  }

  // Adds the parser's position to a visitor's error.
  Error Positioned(Error error) const {
    error.details.emplace_back("line", std::to_string(XML_GetCurrentLineNumber(parser_)));
    error.details.emplace_back("column", std::to_string(XML_GetCurrentColumnNumber(parser_) + 1));
    error.details.emplace_back("offset", std::to_string(XML_GetCurrentByteIndex(parser_)));
    return error;
  }

  // Charges `bytes` to the subtree being collected; over budget, the parse stops.
  void Spend(size_t bytes) {
    subtree_bytes_ += bytes;
    if (subtree_bytes_ > options_.max_subtree_bytes && !error_) {
      Stop(PositionedError("an element holds more than " +
                           std::to_string(options_.max_subtree_bytes >> 20) +
                           " MiB (the limit of one element read whole)"));
    }
  }

  std::string_view Intern(std::string_view ns) {
    if (ns.empty()) {
      return {};
    }
    return *namespaces_.emplace(ns).first;
  }

  void Start(const XML_Char* qualified, const XML_Char** attributes) {
    if (error_) {
      return;
    }
    if (frames_.size() + skipping_ >= options_.max_depth) {
      Stop(PositionedError("elements nested more than " + std::to_string(options_.max_depth) +
                           " deep"));
      return;
    }
    if (skipping_ > 0) {
      ++skipping_;
      return;
    }
    Element fresh;
    std::string_view q(qualified);
    size_t sep = q.rfind(kNamespaceSeparator);
    if (sep == std::string_view::npos) {
      fresh.name = q;
    } else {
      fresh.ns = Intern(q.substr(0, sep));
      fresh.name = q.substr(sep + 1);
    }
    size_t cost = sizeof(Element) + fresh.name.size();
    for (size_t i = 0; attributes[i] != nullptr; i += 2) {
      const auto& [name, value] = fresh.attributes.emplace_back(attributes[i], attributes[i + 1]);
      cost += sizeof(fresh.attributes.back()) + name.size() + value.size();
    }
    fresh.line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser_));
    fresh.column = static_cast<int64_t>(XML_GetCurrentColumnNumber(parser_)) + 1;
    fresh.offset = static_cast<int64_t>(XML_GetCurrentByteIndex(parser_));
    fresh.index = frames_.empty() ? 1 : frames_.back().children.Next(fresh.name);
    size_t before = path_.size();

    if (!frames_.empty() && frames_.back().mode == Mode::kBuild) {
      Spend(cost);
      Element* parent = frames_.back().element;
      parent->children.push_back(std::move(fresh));
      frames_.push_back(Frame{Mode::kBuild, &parent->children.back(), nullptr, {}, before});
      return;
    }
    auto owned = std::make_unique<Element>(std::move(fresh));
    Result<Action> action = visitor_.Start(*owned, path_);
    if (!action) {
      Stop(Positioned(std::move(action.error())));
      return;
    }
    if (*action == Action::kSkip) {
      skipping_ = 1;
      return;
    }
    Element* element = owned.get();
    Mode mode = *action == Action::kCollect ? Mode::kBuild : Mode::kStream;
    if (mode == Mode::kBuild) {
      subtree_bytes_ = 0;
      Spend(cost);
    }
    frames_.push_back(Frame{mode, element, std::move(owned), {}, before});
    if (mode == Mode::kStream) {
      path_ += '/';
      path_ += frames_.size() == 1 ? element->name : element->Step();
    }
  }

  void End() {
    if (error_) {
      return;
    }
    if (skipping_ > 0) {
      --skipping_;
      return;
    }
    if (frames_.empty()) {
      return;
    }
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    path_.resize(frame.path_size);
    if (frame.mode == Mode::kBuild && !frame.owned) {
      return;  // inside a collected subtree
    }
    Status status = frame.mode == Mode::kBuild ? visitor_.Collected(std::move(*frame.owned), path_)
                                               : visitor_.End(*frame.element, path_);
    if (!status) {
      Stop(Positioned(std::move(status.error())));
    }
  }

  Visitor& visitor_;
  Options options_;
  XML_Parser parser_;
  std::vector<Frame> frames_;
  size_t skipping_ = 0;       // depth inside a skipped element (0: not skipping)
  size_t subtree_bytes_ = 0;  // estimated memory of the subtree being collected
  std::string path_;          // location of the innermost streamed element
  std::unordered_set<std::string> namespaces_;
  std::optional<Error> error_;
  std::exception_ptr thrown_;
};

// Stops at the root's start tag.
class RootReader final : public Visitor {
 public:
  std::optional<RootTag> root;
  Result<Action> Start(const Element& e, std::string_view) override {
    root = RootTag{std::string(e.ns), e.name};
    return Fail(InvalidArgument("root read"));
  }
  Status Collected(Element&&, std::string_view) override { return Ok(); }
};

}  // namespace

const std::string* Element::Attribute(std::string_view key) const {
  for (const auto& [n, v] : attributes) {
    if (n == key) {
      return &v;
    }
  }
  return nullptr;
}

const Element* Element::Child(std::string_view child) const {
  for (const Element& c : children) {
    if (c.name == child && c.ns == ns) {
      return &c;
    }
  }
  return nullptr;
}

std::string_view Element::ChildText(std::string_view child) const {
  const Element* c = Child(child);
  return c == nullptr ? std::string_view() : c->Trimmed();
}

std::string_view Element::Trimmed() const {
  std::string_view t(text);
  while (!t.empty() && IsXmlSpace(t.front())) {
    t.remove_prefix(1);
  }
  while (!t.empty() && IsXmlSpace(t.back())) {
    t.remove_suffix(1);
  }
  return t;
}

std::string Element::Step() const { return name + "[" + std::to_string(index) + "]"; }

Status Parse(std::string_view bytes, Visitor& visitor, const Options& options) {
  if (bytes.size() > static_cast<size_t>(INT64_MAX)) {
    return Fail(InvalidArgument("xml: document too large"));
  }
  Driver driver(visitor, options);
  return driver.Run(bytes);
}

Result<RootTag> Root(std::string_view bytes) {
  RootReader reader;
  Status status = Parse(bytes, reader);
  if (reader.root) {
    return std::move(*reader.root);
  }
  if (!status) {
    return Fail(status.error());
  }
  return Fail(InvalidArgument("xml: no root element"));
}

}  // namespace qlrf::xml
