// The expat driver behind xml::Parse: one stack of open elements, each either streamed (the
// visitor decides), being built (inside a collected subtree) or skipped.
#include "common/xml/xml.h"

#include <expat.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>

namespace qlrf::xml {
namespace {

constexpr char kNamespaceSeparator = ' ';  // never inside a URI or an XML name

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits expat's "uri name" into (uri, name).
std::pair<std::string, std::string> SplitName(const XML_Char* qualified) {
  std::string_view q(qualified);
  size_t sep = q.rfind(kNamespaceSeparator);
  if (sep == std::string_view::npos) {
    return {std::string(), std::string(q)};
  }
  return {std::string(q.substr(0, sep)), std::string(q.substr(sep + 1))};
}

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
      if (XML_Parse(parser_, bytes.data() + pos, static_cast<int>(n), last ? XML_TRUE : XML_FALSE) !=
          XML_STATUS_OK) {
        if (error_) {
          return Fail(std::move(*error_));
        }
        return Fail(PositionedError(XML_ErrorString(XML_GetErrorCode(parser_))));
      }
      pos += n;
    } while (pos < bytes.size());
    if (error_) {
      return Fail(std::move(*error_));
    }
    return Ok();
  }

 private:
  enum class Mode { kStream, kBuild, kSkip };
  struct Frame {
    Mode mode;
    Element* element;                                  // kStream: owned below; kBuild: in a tree
    std::unique_ptr<Element> owned;                    // streamed elements and collected roots
    std::vector<std::pair<std::string, size_t>> seen;  // children's names → count so far
    size_t path_size;                                  // path_ length before this element
  };

  static Driver& Self(void* user) { return *static_cast<Driver*>(user); }

  static void XMLCALL OnStart(void* user, const XML_Char* name, const XML_Char** attributes) {
    Self(user).Start(name, attributes);
  }
  static void XMLCALL OnEnd(void* user, const XML_Char*) { Self(user).End(); }
  static void XMLCALL OnText(void* user, const XML_Char* text, int length) {
    Driver& self = Self(user);
    if (!self.frames_.empty() && self.frames_.back().mode == Mode::kBuild) {
      self.frames_.back().element->text.append(text, static_cast<size_t>(length));
    }
  }
  static void XMLCALL OnDoctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*,
                                int) {
    Self(user).Stop(Self(user).PositionedError("DOCTYPE declarations are not accepted"));
  }
  static void XMLCALL OnEntity(void* user, const XML_Char*, int, const XML_Char*, int,
                               const XML_Char*, const XML_Char*, const XML_Char*,
                               const XML_Char*) {
    Self(user).Stop(Self(user).PositionedError("entity declarations are not accepted"));
  }

  void Stop(Error error) {
    if (!error_) {
      error_ = std::move(error);
    }
    XML_StopParser(parser_, XML_FALSE);
  }

  Error PositionedError(std::string_view what) const {
    int64_t line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser_));
    int64_t column = static_cast<int64_t>(XML_GetCurrentColumnNumber(parser_)) + 1;
    int64_t offset = static_cast<int64_t>(XML_GetCurrentByteIndex(parser_));
    std::string where = path_.empty() ? std::string("/") : path_;
    return InvalidArgument("xml: line " + std::to_string(line) + ", column " +
                           std::to_string(column) + ": " + std::string(what))
        .With("field", std::move(where))
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

  // The 1-based index of a child named `name` of the innermost open element.
  size_t NextIndex(const std::string& name) {
    if (frames_.empty()) {
      return 1;
    }
    auto& seen = frames_.back().seen;
    for (auto& [n, count] : seen) {
      if (n == name) {
        return ++count;
      }
    }
    seen.emplace_back(name, 1);
    return 1;
  }

  void Start(const XML_Char* qualified, const XML_Char** attributes) {
    if (error_) {
      return;
    }
    if (!frames_.empty() && frames_.back().mode == Mode::kSkip) {
      frames_.push_back(Frame{Mode::kSkip, nullptr, nullptr, {}, path_.size()});
      return;
    }
    if (frames_.size() >= options_.max_depth) {
      Stop(PositionedError("elements nested more than " + std::to_string(options_.max_depth) +
                           " deep"));
      return;
    }
    Element fresh;
    std::tie(fresh.ns, fresh.name) = SplitName(qualified);
    for (size_t i = 0; attributes[i] != nullptr; i += 2) {
      auto [ns, name] = SplitName(attributes[i]);
      fresh.attributes.emplace_back(ns.empty() ? std::move(name) : ns + " " + name,
                                    attributes[i + 1]);
    }
    fresh.line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser_));
    fresh.column = static_cast<int64_t>(XML_GetCurrentColumnNumber(parser_)) + 1;
    fresh.offset = static_cast<int64_t>(XML_GetCurrentByteIndex(parser_));
    fresh.index = NextIndex(fresh.name);
    size_t before = path_.size();

    if (!frames_.empty() && frames_.back().mode == Mode::kBuild) {
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
    Mode mode = *action == Action::kCollect ? Mode::kBuild
                : *action == Action::kSkip  ? Mode::kSkip
                                            : Mode::kStream;
    Element* element = owned.get();
    frames_.push_back(Frame{mode, element, std::move(owned), {}, before});
    if (mode == Mode::kStream) {
      path_ += '/';
      path_ += frames_.size() == 1 ? element->name : element->Step();
    }
  }

  void End() {
    if (error_ || frames_.empty()) {
      return;
    }
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    path_.resize(frame.path_size);
    if (frame.mode == Mode::kSkip || (frame.mode == Mode::kBuild && !frame.owned)) {
      return;  // inside a skipped or collected subtree
    }
    Status status = frame.mode == Mode::kBuild
                        ? visitor_.Collected(std::move(*frame.owned), path_)
                        : visitor_.End(*frame.element, path_);
    if (!status) {
      Stop(Positioned(std::move(status.error())));
    }
  }

  Visitor& visitor_;
  Options options_;
  XML_Parser parser_;
  std::vector<Frame> frames_;
  std::string path_;  // location of the innermost streamed element
  std::optional<Error> error_;
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
    if (c.name == child) {
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

}  // namespace qlrf::xml
