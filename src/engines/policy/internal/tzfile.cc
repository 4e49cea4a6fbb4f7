// TZif reader: the header, the 64-bit (version 2+) data block when present, and a binary search
// over the transition times.
#include "engines/policy/internal/tzfile.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace qlrf::policy::internal {
namespace {

constexpr std::string_view kZoneDir = "/usr/share/zoneinfo/";
constexpr size_t kHeaderSize = 44;
constexpr size_t kMaxTzifSize = size_t{1} << 20;

Error Unknown(std::string_view name) {
  return InvalidArgument("unknown time zone " + std::string(name));
}

// Big-endian reader over a byte range; reads past the end fail.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) {
      return false;
    }
    pos_ += n;
    return true;
  }
  bool Read(size_t n, uint64_t& out) {
    if (n > data_.size() - pos_) {
      return false;
    }
    out = 0;
    for (size_t i = 0; i < n; ++i) {
      out = (out << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    }
    pos_ += n;
    return true;
  }
  std::string_view Rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Counts {
  uint64_t isut = 0;
  uint64_t isstd = 0;
  uint64_t leap = 0;
  uint64_t time = 0;
  uint64_t type = 0;
  uint64_t chars = 0;
};

bool ReadHeader(Reader& r, char& version, Counts& c) {
  std::string_view rest = r.Rest();
  if (rest.size() < kHeaderSize || rest.substr(0, 4) != "TZif") {
    return false;
  }
  version = rest[4];
  return r.Skip(20) && r.Read(4, c.isut) && r.Read(4, c.isstd) && r.Read(4, c.leap) &&
         r.Read(4, c.time) && r.Read(4, c.type) && r.Read(4, c.chars) && c.type > 0;
}

int64_t SignExtend(uint64_t v, size_t bytes) {
  if (bytes == 8) {
    return static_cast<int64_t>(v);
  }
  return static_cast<int32_t>(static_cast<uint32_t>(v));
}

}  // namespace

Result<ZoneOffset> ZoneOffsetFromTzif(std::string_view data, int64_t unix_seconds) {
  auto bad = [] { return Fail(InvalidArgument("malformed time zone data")); };
  Reader r(data);
  char version = 0;
  Counts c;
  if (!ReadHeader(r, version, c)) {
    return bad();
  }
  size_t time_size = 4;
  if (version >= '2') {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    if (!r.Skip(c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut) ||
        !ReadHeader(r, version, c)) {
      return bad();
    }
    time_size = 8;
  }
  // The whole data block must be there (RFC 8536 §3.2); this also refuses counts larger than
  // the data before anything is allocated for them.
  if (c.time * (time_size + 1) + c.type * 6 + c.chars + c.leap * (time_size + 4) + c.isstd +
          c.isut >
      r.Rest().size()) {
    return bad();
  }
  std::vector<int64_t> times(c.time);
  for (auto& t : times) {
    uint64_t v = 0;
    if (!r.Read(time_size, v)) {
      return bad();
    }
    t = SignExtend(v, time_size);
  }
  std::vector<uint8_t> indexes(c.time);
  for (auto& i : indexes) {
    uint64_t v = 0;
    if (!r.Read(1, v) || v >= c.type) {
      return bad();
    }
    i = static_cast<uint8_t>(v);
  }
  struct Type {
    int32_t offset;
    size_t abbr;
  };
  std::vector<Type> types(c.type);
  for (auto& t : types) {
    uint64_t off = 0;
    uint64_t dst = 0;
    uint64_t abbr = 0;
    if (!r.Read(4, off) || !r.Read(1, dst) || !r.Read(1, abbr) || abbr >= c.chars) {
      return bad();
    }
    t = Type{static_cast<int32_t>(static_cast<uint32_t>(off)), static_cast<size_t>(abbr)};
  }
  std::string_view chars = r.Rest().substr(0, c.chars);
  if (chars.size() != c.chars) {
    return bad();
  }
  // Before the first transition the first type applies (RFC 8536 §3.2).
  size_t type = 0;
  auto it = std::upper_bound(times.begin(), times.end(), unix_seconds);
  if (it != times.begin()) {
    type = indexes[static_cast<size_t>(it - times.begin() - 1)];
  }
  ZoneOffset out;
  out.seconds_east = types[type].offset;
  std::string_view abbr = chars.substr(types[type].abbr);
  out.abbreviation = std::string(abbr.substr(0, abbr.find('\0')));
  return out;
}

Result<ZoneOffset> LookupZoneOffset(std::string_view name, int64_t unix_seconds) {
  if (name.empty() || name == "UTC") {
    return ZoneOffset{};
  }
  // Names are paths below the database: no absolute paths, no "..", a conservative alphabet.
  bool ok = name.size() < 128 && name[0] != '/' && name.find("..") == std::string_view::npos &&
            std::all_of(name.begin(), name.end(), [](char ch) {
              return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '/' || ch == '_' ||
                     ch == '-' || ch == '+';
            });
  if (!ok) {
    return Fail(Unknown(name));
  }
  std::ifstream in(std::string(kZoneDir) + std::string(name), std::ios::binary);
  if (!in) {
    return Fail(Unknown(name));
  }
  std::string data(kMaxTzifSize, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  auto offset = ZoneOffsetFromTzif(data, unix_seconds);
  if (!offset) {
    return Fail(Unknown(name));
  }
  return offset;
}

}  // namespace qlrf::policy::internal
