// An enum field that Thrift decoded from a value outside the enum's range must be readable as
// its integer without undefined behaviour (the ASan+UBSan build aborts on an invalid enum load).
#include "common/wire_enum.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "gen-cpp/tessera_types.h"

namespace tessera {
namespace {

TEST(WireEnumTest, ReadsTheIntegerThriftDecodedEvenOutOfRange) {
  // Encode a FileLock, then patch its type field on the wire to 9 (LockType knows 1..3).
  rpc::FileLock sent;
  sent.__set_type(rpc::LockType::WRITE);
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  apache::thrift::protocol::TBinaryProtocol out(buffer);
  sent.write(&out);
  std::string bytes = buffer->getBufferAsString();
  // Binary protocol: field header (i32 type 8, field id 5), then the value 2 (WRITE).
  const std::string type_field("\x08\x00\x05\x00\x00\x00\x02", 7);
  const size_t at = bytes.find(type_field);
  ASSERT_NE(at, std::string::npos) << "the type field was not found on the wire";
  bytes[at + 6] = 9;

  auto in_buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(bytes.data()), static_cast<uint32_t>(bytes.size()));
  apache::thrift::protocol::TBinaryProtocol in(in_buffer);
  rpc::FileLock received;
  received.read(&in);
  EXPECT_EQ(WireEnumValue(received.type), 9);
}

}  // namespace
}  // namespace tessera
