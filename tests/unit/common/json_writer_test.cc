#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace tessera {
namespace {

TEST(JsonWriterTest, NestsAndPlacesCommas) {
  JsonWriter json;
  json.BeginObject()
      .Field("a", int64_t{1})
      .Key("list")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .Field("b", true)
      .EndObject()
      .String("x")
      .EndArray()
      .Field("c", 0.5)
      .Field("nan", std::numeric_limits<double>::quiet_NaN())
      .EndObject();
  EXPECT_EQ(json.text(), R"({"a":1,"list":[1,{"b":true},"x"],"c":0.5,"nan":null})");
}

TEST(JsonWriterTest, EscapesControlCharactersQuotesAndBackslashes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\u0001")");
}

}  // namespace
}  // namespace tessera
