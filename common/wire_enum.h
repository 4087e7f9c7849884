// The integer a Thrift enum field holds, read without loading the field as its enum type.
//
// Thrift decodes an enum field by casting the wire's i32 straight to the enum type, so a
// request from a buggy or hostile peer can carry a value outside the enumerators' range. Loading
// such a value as the enum is undefined behaviour (UBSan's -fsanitize=enum aborts on it), so
// code that checks an enum field of a request reads it with WireEnumValue, checks the integer,
// and only then uses it as the enum. Values our own code set need no such care.
// Thread-safe (a pure function).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tessera {

template <typename Enum>
int32_t WireEnumValue(const Enum& field) {
  static_assert(std::is_enum_v<Enum> && sizeof(Enum) == sizeof(int32_t),
                "a Thrift enum field holds an i32");
  int32_t value;
  std::memcpy(&value, &field, sizeof(value));  // a copy of the bytes, not an enum load
  return value;
}

}  // namespace tessera
