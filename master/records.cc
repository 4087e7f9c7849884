#include "master/records.h"

#include "master/balance_request.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>

namespace tessera::master {

namespace {

using apache::thrift::TException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

// Records are small; anything near these limits is corrupt, not big.
constexpr int32_t kMaxDecodedStringBytes = 1 << 20;
constexpr int32_t kMaxDecodedContainerElements = 1 << 16;

template <typename T>
std::string Encode(const T& value) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol protocol(buffer);
  value.write(&protocol);
  return buffer->getBufferAsString();
}

template <typename T>
Result<T> DecodeThrift(std::string_view bytes, std::string_view what) {
  T value;
  try {
    // OBSERVE does not copy; the buffer only reads `bytes`, which outlives it.
    auto buffer = std::make_shared<TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
        static_cast<uint32_t>(bytes.size()), TMemoryBuffer::OBSERVE);
    TBinaryProtocol protocol(buffer, kMaxDecodedStringBytes, kMaxDecodedContainerElements,
                             /*strict_read=*/true, /*strict_write=*/true);
    value.read(&protocol);
    if (buffer->available_read() != 0) {
      return Status::Corruption(std::string(what) + ": trailing bytes after the record");
    }
  } catch (const TException& e) {
    return Status::Corruption(std::string(what) + " does not decode: " + e.what());
  }
  return value;
}

}  // namespace

bool IsValidFileType(int32_t type) {
  return type == rpc::FileType::REGULAR || type == rpc::FileType::DIRECTORY ||
         type == rpc::FileType::SYMLINK || type == rpc::FileType::FIFO ||
         type == rpc::FileType::SOCKET;
}

std::string EncodeInode(const InodeRecord& record) { return Encode(record); }
std::string EncodeDentry(const DentryRecord& record) { return Encode(record); }
std::string EncodeChunk(const ChunkRecord& record) { return Encode(record); }
std::string EncodeCommand(const MetaCommand& command) { return Encode(command); }
std::string EncodeLogCommand(const LogCommand& entry) { return Encode(entry); }
std::string EncodeSession(const SessionRecord& record) { return Encode(record); }
std::string EncodeAttr(const rpc::Attr& attr) { return Encode(attr); }
std::string EncodeDrainingServer(const DrainingServerRecord& record) { return Encode(record); }
std::string EncodeUnlinkedInode(const UnlinkedInodeRecord& record) { return Encode(record); }
std::string EncodeBalance(const BalanceRecord& record) { return Encode(record); }

Result<BalanceRecord> DecodeBalance(std::string_view bytes) {
  ASSIGN_OR_RETURN(BalanceRecord record, DecodeThrift<BalanceRecord>(bytes, "balance record"));
  if ((record.state != "running" && record.state != "done" && record.state != "stopped") ||
      !ValidateBalanceRequest(record.threshold_pct, record.bandwidth_bytes_per_sec).ok()) {
    return Status::Corruption("balance record holds impossible values");
  }
  return record;
}

Result<InodeRecord> DecodeInode(std::string_view bytes) {
  ASSIGN_OR_RETURN(InodeRecord record, DecodeThrift<InodeRecord>(bytes, "inode record"));
  if (record.inode <= 0 || !IsValidFileType(record.type) || record.size < 0 || record.nlink < 0 ||
      (record.mode & ~07777) != 0) {
    return Status::Corruption("inode record " + std::to_string(record.inode) +
                              " holds impossible values");
  }
  return record;
}

Result<DentryRecord> DecodeDentry(std::string_view bytes) {
  ASSIGN_OR_RETURN(DentryRecord record, DecodeThrift<DentryRecord>(bytes, "dentry record"));
  if (record.inode <= 0 || !IsValidFileType(record.type)) {
    return Status::Corruption("dentry record holds impossible values");
  }
  return record;
}

Result<ChunkRecord> DecodeChunk(std::string_view bytes) {
  ASSIGN_OR_RETURN(ChunkRecord record, DecodeThrift<ChunkRecord>(bytes, "chunk record"));
  if (record.chunk_id <= 0 || record.version <= 0) {
    return Status::Corruption("chunk record holds impossible values");
  }
  return record;
}

Result<MetaCommand> DecodeCommand(std::string_view bytes) {
  ASSIGN_OR_RETURN(MetaCommand command, DecodeThrift<MetaCommand>(bytes, "command"));
  if (CountCommandMembers(command) != 1) {
    return Status::Corruption("command union must have exactly one member, has " +
                              std::to_string(CountCommandMembers(command)));
  }
  return command;
}

Result<LogCommand> DecodeLogCommand(std::string_view bytes) {
  ASSIGN_OR_RETURN(LogCommand entry, DecodeThrift<LogCommand>(bytes, "log command"));
  if (entry.client_id < 0 || entry.sequence < 0 || (entry.client_id == 0) != (entry.sequence == 0)) {
    return Status::Corruption("log command session (" + std::to_string(entry.client_id) + ", " +
                              std::to_string(entry.sequence) + ") is malformed");
  }
  if (CountCommandMembers(entry.command) != 1) {
    return Status::Corruption("command union must have exactly one member, has " +
                              std::to_string(CountCommandMembers(entry.command)));
  }
  return entry;
}

Result<SessionRecord> DecodeSession(std::string_view bytes) {
  ASSIGN_OR_RETURN(SessionRecord record, DecodeThrift<SessionRecord>(bytes, "session record"));
  if (record.sequence <= 0 || !IsKnownStatusCode(record.status_code)) {
    return Status::Corruption("session record holds impossible values");
  }
  return record;
}

Result<rpc::Attr> DecodeAttr(std::string_view bytes) {
  return DecodeThrift<rpc::Attr>(bytes, "attributes");
}

Result<DrainingServerRecord> DecodeDrainingServer(std::string_view bytes) {
  ASSIGN_OR_RETURN(DrainingServerRecord record,
                   DecodeThrift<DrainingServerRecord>(bytes, "draining server record"));
  if (record.server_id <= 0 || record.since_ns < 0) {
    return Status::Corruption("draining server record holds impossible values");
  }
  return record;
}

std::string EncodeLock(const LockRecord& record) { return Encode(record); }

Result<LockRecord> DecodeLock(std::string_view bytes) {
  ASSIGN_OR_RETURN(LockRecord record, DecodeThrift<LockRecord>(bytes, "lock record"));
  if ((record.type != rpc::LockType::READ && record.type != rpc::LockType::WRITE) ||
      record.last < 0 || record.pid < 0) {
    return Status::Corruption("lock record holds impossible values");
  }
  return record;
}

std::string EncodeExpiredMount(const ExpiredMountRecord& record) { return Encode(record); }

Result<ExpiredMountRecord> DecodeExpiredMount(std::string_view bytes) {
  ASSIGN_OR_RETURN(ExpiredMountRecord record,
                   DecodeThrift<ExpiredMountRecord>(bytes, "expired mount record"));
  if (record.time_ns < 0) return Status::Corruption("expired mount record holds a negative time");
  return record;
}

int CountCommandMembers(const MetaCommand& command) {
  const auto& set = command.__isset;
  return set.init_root + set.mkdir + set.create + set.unlink + set.rmdir + set.rename +
         set.set_attr + set.allocate_chunk + set.commit_write + set.bump_chunk_version +
         set.set_goal + set.set_server_draining + set.mknod + set.link +
         set.set_xattr + set.remove_xattr + set.touch_atime + set.free_unlinked_inode +
         set.set_lock + set.expire_mount + set.set_balance;
}

std::string_view CommandName(const MetaCommand& command) {
  const auto& set = command.__isset;
  if (set.init_root) return "init_root";
  if (set.mkdir) return "mkdir";
  if (set.create) return "create";
  if (set.unlink) return "unlink";
  if (set.rmdir) return "rmdir";
  if (set.rename) return "rename";
  if (set.set_attr) return "set_attr";
  if (set.allocate_chunk) return "allocate_chunk";
  if (set.commit_write) return "commit_write";
  if (set.bump_chunk_version) return "bump_chunk_version";
  if (set.set_goal) return "set_goal";
  if (set.set_server_draining) return "set_server_draining";
  if (set.mknod) return "mknod";
  if (set.link) return "link";
  if (set.set_xattr) return "set_xattr";
  if (set.remove_xattr) return "remove_xattr";
  if (set.touch_atime) return "touch_atime";
  if (set.free_unlinked_inode) return "free_unlinked_inode";
  if (set.set_lock) return "set_lock";
  if (set.expire_mount) return "expire_mount";
  if (set.set_balance) return "set_balance";
  return "empty";
}

rpc::Attr ToAttr(const InodeRecord& record) {
  rpc::Attr attr;
  attr.inode = record.inode;
  attr.type = static_cast<rpc::FileType::type>(record.type);
  attr.mode = record.mode;
  attr.uid = record.uid;
  attr.gid = record.gid;
  attr.size = record.size;
  attr.atime_ns = record.atime_ns;
  attr.mtime_ns = record.mtime_ns;
  attr.ctime_ns = record.ctime_ns;
  attr.nlink = record.nlink;
  attr.goal = record.goal;
  attr.symlink_target = record.symlink_target;
  return attr;
}

Result<UnlinkedInodeRecord> DecodeUnlinkedInode(std::string_view bytes) {
  ASSIGN_OR_RETURN(UnlinkedInodeRecord record,
                   DecodeThrift<UnlinkedInodeRecord>(bytes, "unlinked inode record"));
  if (record.inode <= 0 || record.unlinked_ns < 0) {
    return Status::Corruption("unlinked inode record holds impossible values");
  }
  return record;
}

}  // namespace tessera::master
